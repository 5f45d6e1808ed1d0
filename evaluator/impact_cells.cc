#include "evaluator/impact_cells.h"

#include <algorithm>
#include <map>

#include "evaluator/context_json.h"
#include "evaluator/evaluate.h"
#include "evaluator/payment_answer.h"
#include "evaluator/time.h"
#include "evaluator/vocab.h"
#include "json/writer.h"

namespace paydomain::evaluator {
namespace {

constexpr size_t kMaxMergeGroup = 2000;  // cells of one before/after merged pairwise (quadratic)

bool same_bin(const BinConstraint& a, const BinConstraint& b) {
  return a.is_exact == b.is_exact && a.exact == b.exact && a.prefix == b.prefix && a.min_len == b.min_len &&
         a.excluded == b.excluded;
}

bool same_attr(const Region& a, const Region& b, Attr x) {
  if (!a.has(x)) return true;
  if (x == Attr::Bin) return same_bin(a.bin, b.bin);
  if (is_categorical(x)) return a.sets[idx(x)] == b.sets[idx(x)];
  return a.ranges[idx(x)] == b.ranges[idx(x)];
}

// Merges b into a when they differ in one attribute that can be joined.
bool try_merge(Region& a, const Region& b) {
  if (a.tested != b.tested) return false;
  int differ = -1;
  for (int ai = 0; ai < kAttrCount; ++ai) {
    if (same_attr(a, b, static_cast<Attr>(ai))) continue;
    if (differ >= 0) return false;
    differ = ai;
  }
  if (differ < 0) return true;  // the same region twice
  Attr x = static_cast<Attr>(differ);
  if (x == Attr::Bin) {
    // Exactly s, and longer than s (no longer listed prefix): starts with s.
    const BinConstraint* e = a.bin.is_exact ? &a.bin : b.bin.is_exact ? &b.bin : nullptr;
    const BinConstraint* l = a.bin.is_exact ? &b.bin : &a.bin;
    if (!e || l->is_exact || l->prefix != e->exact || l->min_len != e->exact.size() + 1) return false;
    for (const std::string& ex : l->excluded) {
      if (ex.size() <= e->exact.size()) return false;
    }
    BinConstraint m = *l;
    m.min_len = e->exact.size();
    a.bin = std::move(m);
    return true;
  }
  // Amounts are minor units of the region's currency: one currency per region
  // keeps them readable as money.
  if (x == Attr::Currency && a.has(Attr::Amount)) return false;
  if (is_categorical(x)) {
    std::vector<int32_t> s;
    std::set_union(a.sets[idx(x)].begin(), a.sets[idx(x)].end(), b.sets[idx(x)].begin(), b.sets[idx(x)].end(),
                   std::back_inserter(s));
    a.sets[idx(x)] = std::move(s);
    return true;
  }
  auto& ra = a.ranges[idx(x)];
  const auto& rb = b.ranges[idx(x)];
  if (ra.second == rb.first) {
    ra.second = rb.second;
  } else if (rb.second == ra.first) {
    ra.first = rb.first;
  } else {
    return false;
  }
  return true;
}

void merge_group(std::vector<Region>& rs) {
  if (rs.size() > kMaxMergeGroup) return;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < rs.size(); ++i) {
      for (size_t j = i + 1; j < rs.size();) {
        if (try_merge(rs[i], rs[j])) {
          rs.erase(rs.begin() + static_cast<long>(j));
          changed = true;
        } else {
          ++j;
        }
      }
    }
  }
}

int32_t first_value(const Region& r, const Universe& u, Attr a, int32_t prefer) {
  auto ok = [&](int32_t uid) {
    return u.both(a, uid) && (!r.has(a) || std::binary_search(r.sets[idx(a)].begin(), r.sets[idx(a)].end(), uid));
  };
  if (prefer >= 0 && prefer < u.size(a) && ok(prefer)) return prefer;
  for (int32_t uid = 0; uid < u.size(a); ++uid) {
    if (ok(uid)) return uid;
  }
  return -1;
}

// The example's payment time: a Wednesday noon (in November 2026) unless the
// region asks for another day or minute; within its instants when it has
// some (a zoned weekday or time), whose day and minute must then agree.
int64_t example_time(const Region& r, const Universe& u) {
  constexpr int64_t kDefault = 1794960000;  // 2026-11-18T00:00:00Z, a Wednesday
  int64_t mlo = r.has(Attr::TimeOfDay) ? r.ranges[idx(Attr::TimeOfDay)].first : 12 * 60;
  int64_t mhi = r.has(Attr::TimeOfDay) ? r.ranges[idx(Attr::TimeOfDay)].second : mlo + 1;
  int32_t day = first_value(r, u, Attr::Weekday, 2);
  auto [ilo, ihi] = r.has(Attr::Instant) ? r.ranges[idx(Attr::Instant)] : ordered_domain(Attr::Instant);
  int64_t from = kDefault >= ilo && kDefault < ihi ? kDefault : ilo - ((ilo % 86400) + 86400) % 86400;
  for (int k = 0; k < 9; ++k) {
    int64_t d0 = from + k * 86400;
    if (weekday_of(d0) != day && (r.has(Attr::Weekday) || !r.has(Attr::Instant))) continue;
    // The first instant of the day at or after the region's start, in its minutes.
    int64_t t = std::max(d0 + mlo * 60, ilo);
    if (!r.has(Attr::TimeOfDay) && r.has(Attr::Instant) && t >= d0 + 86400) continue;
    if (r.has(Attr::TimeOfDay) && (t >= d0 + mhi * 60)) continue;
    if (t < ihi) return t;
  }
  // No such instant (the region is empty in fact): its day and minute.
  int64_t t = kDefault;
  for (int k = 0; k < 7 && weekday_of(t) != day; ++k) t += 86400;
  return t + mlo * 60;
}

int32_t universe_of(const Universe& u, Attr a, std::string_view name) {
  for (int32_t uid = 0; uid < u.size(a); ++uid) {
    if (u.name(a, uid) == name) return uid;
  }
  return -1;
}

std::vector<int64_t> amount_candidates(const Region& r) {
  auto [lo, hi] = r.has(Attr::Amount) ? r.ranges[idx(Attr::Amount)] : ordered_domain(Attr::Amount);
  int64_t top = std::min<int64_t>(hi - 1, 100'000'000'000);
  std::vector<int64_t> xs;
  for (int64_t x : {int64_t{100000}, int64_t{1000000}, lo, top, lo + (top - lo) / 2, int64_t{10000}, lo + 1}) {
    x = std::clamp(x, lo, std::max(lo, top));
    if (std::find(xs.begin(), xs.end(), x) == xs.end()) xs.push_back(x);
  }
  return xs;
}

struct Side {
  const CompiledDomain* d;
};

bool answers_differ(const CompiledDomain& a, const CompiledDomain& b, const std::string& json) {
  auto ca = parse_context(json, a);
  auto cb = parse_context(json, b);
  if (!ca || !cb) return false;
  return answer_of(a, evaluate(a, *ca)) != answer_of(b, evaluate(b, *cb));
}

}  // namespace

std::string example_context(const Region& r, const Universe& u, const std::string& tariff, const std::string& routing,
                            int64_t amount, const std::string& key, const std::string& turnover) {
  auto value = [&](Attr a, std::string_view prefer = {}) -> std::string {
    int32_t uid = first_value(r, u, a, prefer.empty() ? -1 : universe_of(u, a, prefer));
    if (uid < 0) return "";
    const std::string& n = u.name(a, uid);
    return n == "(other)" ? "impact-other" : n;
  };
  std::string out;
  {
    json::Writer w(out);
    w.begin_object();
    std::string cur = value(Attr::Currency);
    if (!cur.empty()) {
      w.key("amount");
      w.begin_object();
      w.key("amount");
      w.integer(amount);
      w.field("currency", cur);
      w.end_object();
    }
    std::string cat = value(Attr::Category);
    if (!cat.empty()) w.field("category", cat);
    w.field("flow", value(Attr::Flow, "instant"));
    w.field("operation", value(Attr::Operation, "payment"));
    w.field("party", value(Attr::Party));
    // A tariff_binding region: the institution the binding (or its default) reads.
    if (r.has(Attr::PaymentInstitution)) {
      std::string pi = value(Attr::PaymentInstitution);
      if (!pi.empty() && pi != "impact-other") w.field("payment_institution", pi);
    }
    w.field("payment_key", key);
    w.key("payment_tool");
    w.begin_object();
    std::string kind = value(Attr::PaymentTool, "bank_card");
    bool card = kind != "wallet";
    if (r.has(Attr::Bin) || card) {
      std::string bin = example_bin(r.bin);
      if (!bin.empty()) w.field("bin", bin);
    }
    // The card's BIN data, when the region asks about it.
    for (auto [a, name] : {std::pair{Attr::CardCategory, "card_category"}, std::pair{Attr::CardType, "card_type"},
                           std::pair{Attr::IssuerBank, "issuer_bank"}}) {
      if (!r.has(a)) continue;
      std::string v = value(a);
      if (!v.empty()) w.field(name, v);
    }
    if (r.has(Attr::IssuerCountry) || card) {
      std::string c = value(Attr::IssuerCountry);
      if (!c.empty()) w.field("issuer_country", c);
    }
    w.field("kind", kind);
    if (r.has(Attr::PaymentSystem) || card) {
      std::string ps = value(Attr::PaymentSystem);
      if (!ps.empty()) w.field("payment_system", ps);
    }
    if (r.has(Attr::TokenProvider)) w.field("token_provider", value(Attr::TokenProvider));
    w.field("token", "impact-card");
    if (r.has(Attr::WalletProvider) || !card) {
      std::string wp = value(Attr::WalletProvider);
      if (!wp.empty()) w.field("wallet_provider", wp);
    }
    w.end_object();
    // Whom the payment's institution must serve, when the region asks.
    for (auto [a, name] : {std::pair{Attr::Realm, "realm"}, std::pair{Attr::Residence, "residence"}}) {
      if (!r.has(a)) continue;
      std::string v = value(a);
      if (!v.empty() && v != "impact-other") w.field(name, v);
    }
    w.field("risk", value(Attr::Risk, "low"));
    if (!routing.empty()) w.field("routing", routing);
    w.field("shop", value(Attr::Shop));
    if (!tariff.empty()) w.field("tariff", tariff);
    w.field("time", format_time(example_time(r, u), 0));
    if (!turnover.empty()) {
      w.key("turnover");
      w.raw(turnover);
    }
    w.end_object();
  }
  return out;
}

namespace {

// Turnovers of a limit that put a payment of `amount` between the two
// sides' bounds (a changed bound shows only with a turnover), and none. A
// route-scoped limit (kept per terminal or provider) gets that turnover on
// every terminal (provider) of both sides, so routing sees it too.
std::vector<std::string> turnovers(const CompiledDomain& before, const CompiledDomain& after, const std::string& name,
                                   int64_t amount) {
  std::vector<std::string> out{""};
  int32_t la = before.vocab.object(dsl::ObjectKind::Limit, name), lb = after.vocab.object(dsl::ObjectKind::Limit, name);
  if (la < 0 || lb < 0) return out;
  const CompiledLimit& a = before.limits[static_cast<size_t>(la)];
  const CompiledLimit& b = after.limits[static_cast<size_t>(lb)];
  // A limit changed to or from route-scoped has no turnover both sides read.
  if (a.route_scope != b.route_scope) return out;
  int64_t x = a.is_count ? 1 : amount;
  for (int64_t bound : {std::min(a.bound, b.bound), std::max(a.bound, b.bound)}) {
    for (int64_t value : {bound - x + 1, bound - x}) {
      if (value < 0) continue;
      std::string v = std::to_string(value);
      if (!a.is_count && a.currency >= 0) {
        v = "{\"amount\":" + v + ",\"currency\":\"" + before.vocab.object_name(dsl::ObjectKind::Currency, a.currency) +
            "\"}";
      }
      if (a.route_scope >= 0) {
        dsl::ObjectKind k = a.route_scope == kScopeTerminal ? dsl::ObjectKind::Terminal : dsl::ObjectKind::Provider;
        std::string per_route;
        for (int32_t i = 0; i < before.vocab.object_count(k); ++i) {
          const std::string& id = before.vocab.object_name(k, i);
          if (after.vocab.object(k, id) >= 0) per_route += (per_route.empty() ? "\"" : ",\"") + id + "\":" + v;
        }
        v = "{" + per_route + "}";
      }
      out.push_back("{\"" + name + "\":" + v + "}");
    }
  }
  return out;
}

// An example of the region that evaluates differently at both sides: a few
// amounts; for routes and provider fees also payment keys (the weighted
// choice) and, for provider fees, each tariff (whose routing may reach the
// provider); for limits, turnovers around the bounds. The first point tried
// when none differs.
void find_example(const CompiledDomain& before, const CompiledDomain& after, const Universe& u, ImpactRegion& ir) {
  size_t colon = ir.object.find(':');
  std::string kind = ir.object.substr(0, colon), name = ir.object.substr(colon + 1);
  std::vector<std::string> tariffs{""};
  std::string routing;
  if (kind == "tariff") tariffs = {name};
  if (kind == "routing") {
    routing = name;
    for (const CompiledTariff& t : after.tariffs) {
      if (t.routing >= 0 && after.vocab.object_name(dsl::ObjectKind::Routing, t.routing) == name &&
          before.vocab.object(dsl::ObjectKind::Tariff, t.name) >= 0) {
        tariffs = {t.name};
        break;
      }
    }
  }
  // A limit kept per terminal or provider shows in routing: its examples
  // need a tariff whose routing chooses a terminal.
  int32_t li = kind == "limit" ? after.vocab.object(dsl::ObjectKind::Limit, name) : -1;
  const bool route_limit = li >= 0 && after.limits[static_cast<size_t>(li)].route_scope >= 0;
  if (kind == "provider" || route_limit) {
    tariffs.clear();
    for (const CompiledTariff& t : after.tariffs) {
      if (before.vocab.object(dsl::ObjectKind::Tariff, t.name) >= 0 && tariffs.size() < 8) tariffs.push_back(t.name);
    }
    if (tariffs.empty()) tariffs = {""};
  }
  const int keys = kind == "routing" || kind == "provider" || route_limit ? 8 : 1;
  std::string first;
  for (int64_t amount : amount_candidates(ir.region)) {
    std::vector<std::string> turns = kind == "limit" ? turnovers(before, after, name, amount)
                                                     : std::vector<std::string>{""};
    for (const std::string& tariff : tariffs) {
      for (const std::string& turnover : turns) {
        for (int k = 1; k <= keys; ++k) {
          std::string json = example_context(ir.region, u, tariff, routing, amount, "impact-" + std::to_string(k),
                                             turnover);
          if (first.empty()) first = json;
          if (answers_differ(before, after, json)) {
            ir.example = std::move(json);
            ir.example_differs = true;
            return;
          }
        }
      }
    }
  }
  ir.example = first;
}

}  // namespace

void finish_regions(const CompiledDomain& before, const CompiledDomain& after, const Universe& u,
                    const ImpactOptions& options, Cells& cells, SymbolicImpact& out) {
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>,
           std::vector<Region>>
      groups;
  for (Cell& c : cells.all()) {
    groups[{c.part, c.before, c.after, c.kind, c.object, c.delta}].push_back(std::move(c.region));
  }
  std::vector<int32_t> exponents;
  for (int32_t uid = 0; uid < u.size(Attr::Currency); ++uid) {
    int32_t id = u.to_side(1, Attr::Currency, uid);
    const CompiledDomain& d = id >= 0 ? after : before;
    if (id < 0) id = u.to_side(0, Attr::Currency, uid);
    exponents.push_back(d.exponents[static_cast<size_t>(id)]);
  }
  std::vector<ImpactRegion> all;
  for (auto& [key, regions] : groups) {
    merge_group(regions);
    for (Region& r : regions) {
      ImpactRegion ir;
      std::tie(ir.part, ir.before, ir.after, ir.kind, ir.object, ir.delta) = key;
      ir.where = describe_region(r, u, exponents);
      ir.region = std::move(r);
      all.push_back(std::move(ir));
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const ImpactRegion& a, const ImpactRegion& b) {
    return std::tie(a.part, a.where, a.before) < std::tie(b.part, b.where, b.before);
  });
  if (all.size() > options.max_regions) {
    out.more = all.size() - options.max_regions;
    all.resize(options.max_regions);
  }
  for (ImpactRegion& ir : all) find_example(before, after, u, ir);
  // A fee formula that changes only where it rounds to the same money (amount
  // 0, a share below one minor unit) moves nothing: counted, not listed.
  size_t alike = 0;
  all.erase(std::remove_if(all.begin(), all.end(),
                           [&](const ImpactRegion& r) {
                             bool drop = !r.example_differs && (r.kind == "fee" || r.kind == "refund fee");
                             alike += drop;
                             return drop;
                           }),
            all.end());
  if (alike > 0) {
    out.notes.push_back(std::to_string(alike) +
                        " region(s) where a fee formula changes but rounds to the same money (e.g. amount 0)");
  }
  out.regions = std::move(all);
}

}  // namespace paydomain::evaluator
