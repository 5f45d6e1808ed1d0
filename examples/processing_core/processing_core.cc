// An example processing core: follows a running `paydomain serve` and
// evaluates payments in process, never asking the service per payment.
//
//   processing_core --url http://127.0.0.1:8080 --token $READER_TOKEN --cache /var/cache/pd < steps.jsonl
//
// Reads one JSON object per line on stdin and answers each with one line:
//   {"payment": "p1", "step": "payment", "context": {...}}
//       the payment's first step: evaluated at the head, whose revision is
//       pinned for the payment;
//   {"payment": "p1", "step": "capture", "context": {...}, "last": true}
//       a later step: evaluated at the payment's revision; "last" unpins it.
//       A step may name "revision" (a payment begun before a restart): that
//       revision is pinned and fetched if this process does not hold it;
//   {"command": "state"}               the follower's state (for metrics);
//   {"command": "wait_head", "revision": N}   waits for head >= N.
// At the end of input it prints the state and exits (0; 1 on a bad start).
#include <charconv>
#include <iostream>
#include <map>
#include <string>

#include "follower/follower.h"
#include "json/reader.h"
#include "json/writer.h"

namespace {

using paydomain::client::Artifact;
using paydomain::follower::Follower;
using paydomain::follower::FollowerState;
using ArtifactPtr = Follower::ArtifactPtr;

struct Args {
  paydomain::follower::FollowerConfig config;
  int wait_s = 30;  // for the first head, a wait_head, a pinned revision's fetch
};

template <class T>
bool number(const std::string& text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    if (flag == "--url") a.config.url = v;
    else if (flag == "--token") a.config.token = v;
    else if (flag == "--cache") a.config.cache_dir = v;
    else if (flag == "--keep") { if (!number(v, a.config.keep)) return false; }
    else if (flag == "--wait-s") { if (!number(v, a.wait_s) || a.wait_s < 0) return false; }
    else return false;
  }
  return !a.config.url.empty();
}

// One input line, read with the project's JSON reader; `context` is the
// context object's text, handed to the artifact's own context reader.
struct Step {
  std::string payment, step, command, context, error;
  int64_t revision = -1;
  bool last = false;
};

Step parse_step(std::string_view line) {
  Step s;
  paydomain::json::Reader r(line);
  std::string_view key, text;
  if (!r.begin_object()) s.error = "a line must be a JSON object";
  while (s.error.empty() && r.next_key(key)) {
    if (key == "payment" && r.string(text)) s.payment = text;
    else if (key == "step" && r.string(text)) s.step = text;
    else if (key == "command" && r.string(text)) s.command = text;
    else if (key == "last") r.boolean(s.last);
    else if (key == "revision" && r.number(text)) paydomain::json::Reader::to_int64(text, s.revision);
    else if (key == "context") {
      size_t from = r.offset();
      if (r.skip()) s.context = line.substr(from, r.offset() - from);
    } else {
      r.skip();
    }
  }
  if (s.error.empty() && (r.failed() || !r.at_end())) s.error = "bad JSON: " + r.error();
  return s;
}

std::string_view terms_text(paydomain::client::TermsResult::Verdict v) {
  using V = paydomain::client::TermsResult::Verdict;
  return v == V::Allowed ? "allowed" : v == V::Forbidden ? "forbidden" : "undetermined";
}

std::string_view route_text(const paydomain::client::RouteResult& r) {
  using S = paydomain::client::RouteResult::Status;
  switch (r.status) {
    case S::Chosen: return "chosen";
    case S::Declined: return "declined";
    case S::NoRoute: return "no_route";
    case S::Undetermined: return "undetermined";
    case S::NoRouting: return "no_routing";
  }
  return "";
}

void write_result(const Step& s, const Artifact& art, const paydomain::client::EvalResult& r, std::string& out) {
  paydomain::json::Writer w(out);
  w.begin_object();
  w.field("payment", s.payment);
  w.field("step", s.step);
  w.key("revision");
  w.integer(static_cast<int64_t>(art.revision()));
  w.field("terms", terms_text(r.terms.verdict));
  w.key("postings");
  w.begin_array();
  for (const auto& p : r.cash_flow.postings) {
    w.begin_object();
    w.field("from", p.from);
    w.field("to", p.to);
    w.key("amount");
    w.integer(p.amount.minor);
    w.field("currency", p.amount.currency);
    w.end_object();
  }
  w.end_array();
  w.field("route", route_text(r.route));
  if (r.route.status == paydomain::client::RouteResult::Status::Chosen)
    w.field("terminal", art.object_name(paydomain::client::ObjectKind::Terminal, r.route.terminal));
  w.end_object();
}

void write_state(const FollowerState& s, std::string& out) {
  paydomain::json::Writer w(out);
  w.begin_object();
  w.key("state");
  w.begin_object();
  w.key("revision");
  w.integer(s.revision);
  w.key("from_cache");
  w.boolean(s.from_cache);
  w.key("head_age_ms");
  w.integer(s.head_age.count());
  w.key("service_head");
  w.integer(s.service_head);
  // Ages, not timestamps: what an alert compares with a bound (-1: never).
  auto age_ms = [](const std::optional<std::chrono::system_clock::time_point>& t) -> int64_t {
    if (!t) return -1;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now() - *t).count();
  };
  w.key("contact_age_ms");
  w.integer(age_ms(s.last_contact));
  w.field("last_error", s.last_error);
  w.key("error_age_ms");
  w.integer(age_ms(s.error_time));
  for (auto [name, list] : {std::pair{"held", &s.held}, std::pair{"pinned", &s.pinned}}) {
    w.key(name);
    w.begin_array();
    for (int64_t rev : *list) w.integer(rev);
    w.end_array();
  }
  w.key("downloads");
  w.integer(static_cast<int64_t>(s.downloads));
  w.key("refused");
  w.integer(static_cast<int64_t>(s.refused));
  w.end_object();
  w.end_object();
}

void write_error(const Step& s, const std::string& message, std::string& out) {
  paydomain::json::Writer w(out);
  w.begin_object();
  if (!s.payment.empty()) w.field("payment", s.payment);
  if (!s.step.empty()) w.field("step", s.step);
  w.field("error", message);
  w.end_object();
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) {
    std::cerr << "usage: processing_core --url URL [--token TOKEN] [--cache DIR] [--keep K] [--wait-s S] < steps.jsonl\n";
    return 2;
  }
  auto started = Follower::start(args.config);
  if (!started) {
    std::cerr << "processing_core: " << started.error().message << "\n";
    return 1;
  }
  std::unique_ptr<Follower> follower = std::move(started).value();
  const auto wait = std::chrono::seconds(args.wait_s);
  if (!follower->wait_for_head(-1, wait)) {
    std::cerr << "processing_core: no revision within " << args.wait_s
              << " s (service away and nothing cached): " << follower->state().last_error << "\n";
    return 1;
  }

  std::map<std::string, int64_t> payments;  // payment -> its pinned revision
  std::string line, out;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    out.clear();
    Step s = parse_step(line);
    if (!s.error.empty()) {
      write_error(s, s.error, out);
    } else if (s.command == "state") {
      write_state(follower->state(), out);
    } else if (s.command == "wait_head") {
      auto head = follower->wait_for_head(s.revision, wait);
      if (!head) write_error(s, "head did not reach revision " + std::to_string(s.revision), out);
      else write_state(follower->state(), out);
    } else if (s.payment.empty() || s.context.empty()) {
      write_error(s, "a step needs \"payment\" and \"context\" (or a \"command\")", out);
    } else {
      // The payment's revision: its own, else the one a restarted core was
      // told, else the head's (the first step), pinned until its last step.
      ArtifactPtr art;
      auto known = payments.find(s.payment);
      if (known == payments.end()) {
        int64_t rev = s.revision >= 0 ? s.revision : static_cast<int64_t>(follower->head()->revision());
        follower->pin(rev);
        known = payments.emplace(s.payment, rev).first;
      }
      art = follower->at(known->second);
      if (!art) art = follower->wait_for(known->second, wait);  // being fetched (pin)
      if (!art) {
        write_error(s, "revision " + std::to_string(known->second) + " is not available", out);
      } else if (auto ctx = art->read_context(s.context); !ctx) {
        write_error(s, ctx.error().text(), out);
      } else {
        write_result(s, *art, art->evaluate(*ctx), out);
      }
      if (s.last) {
        follower->unpin(known->second);
        payments.erase(known);
      }
    }
    std::cout << out << "\n" << std::flush;
  }
  out.clear();
  write_state(follower->state(), out);
  std::cout << out << "\n";
  return 0;
}
