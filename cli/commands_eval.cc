// `paydomain eval` (evaluate payment contexts) and `paydomain test` (run the
// domain's test blocks, OPA-style).
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "dsl/checker.h"
#include "dsl/parser.h"
#include "evaluator/evaluator.h"
#include "json/reader.h"

namespace paydomain::cli {
namespace {

using nlohmann::json;
namespace ev = evaluator;

struct Loaded {
  dsl::Domain domain;
  std::shared_ptr<const ev::CompiledDomain> compiled;
};

// Loads and compiles a domain; diagnostics are printed.
CliResult<Loaded> load_domain(const std::string& path) {
  Loaded out;
  dsl::Diagnostics diags;
  auto files = dsl::read_sources({path}, diags);
  if (!diags.has_errors()) out.domain = dsl::load(files, diags);
  if (diags.has_errors()) {
    diags.sort();
    std::cerr << dsl::render_all(diags.items(), files);
    std::cerr << diags.error_count() << " error(s) in the domain\n";
    return Reported{kExitFindings};
  }
  auto c = ev::compile(out.domain);
  if (!c) {
    std::cerr << "paydomain: cannot compile the domain: " << c.error().text() << "\n";
    return Reported{kExitFindings};
  }
  out.compiled = *c;
  return out;
}

// The text of a file, or of stdin for "-"; an unreadable file is a usage error.
CliResult<std::string> read_input(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "paydomain: cannot read " << path << "\n";
    return Reported{kExitUsage};
  }
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct EvalOptions {
  std::string domain;
  std::string context = "-";
  bool explain = false;
  bool batch = false;
  unsigned jobs = 0;
};

int run_eval(const EvalOptions& opt) {
  auto l = load_domain(opt.domain);
  if (!l) return l.error().code;
  auto input = read_input(opt.context);
  if (!input) return input.error().code;
  const std::string& text = *input;
  const ev::CompiledDomain& cd = *l->compiled;
  if (!opt.batch) {
    std::string out;
    if (ev::Status s = ev::evaluate_text(cd, text, opt.explain, out); !s) {
      std::string err;
      ev::write_error(s.error(), err);  // the shape a batch puts in the failing context's place
      std::cout << json::parse(err).dump(2) << "\n";
      std::cerr << "paydomain: " << s.error().text() << "\n";
      return kExitFindings;
    }
    std::cout << json::parse(out).dump(2) << "\n";
    return kExitOk;
  }
  // A batch: one JSON array (printed as one), or JSON lines (one result per
  // line). A malformed context gets its error in its place; the others run.
  std::vector<std::string_view> inputs;
  bool lines = true;
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    // One checked pass splits the array; text that is not one array is read as lines.
    paydomain::json::Reader r(text);
    r.begin_array();
    while (r.next_element()) {
      size_t from = r.offset();
      if (!r.skip()) break;
      inputs.push_back(std::string_view(text).substr(from, r.offset() - from));
    }
    lines = r.failed() || !r.at_end();
    if (lines) inputs.clear();
  }
  if (lines) {
    std::string_view rest = text;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      if (line.find_first_not_of(" \t\r") != std::string_view::npos) inputs.push_back(line);
    }
  }
  ev::BatchOutcome b = ev::evaluate_batch(cd, inputs, opt.explain, opt.jobs);
  if (lines) {
    for (const std::string& o : b.results) std::cout << o << "\n";
  } else {
    json all = json::array();
    for (const std::string& o : b.results) all.push_back(json::parse(o));
    std::cout << all.dump(2) << "\n";
  }
  if (b.failed) {
    std::cerr << "paydomain: " << b.failed << " of " << inputs.size() << " contexts are malformed; the first is context "
              << b.first_failed + 1 << ": " << b.first_error.text() << "\n";
  }
  return b.failed ? kExitFindings : kExitOk;
}

struct TestOptions {
  std::string domain;
  bool json = false;
};

int run_test(const TestOptions& opt) {
  auto l = load_domain(opt.domain);
  if (!l) return l.error().code;
  ev::TestReport report = ev::run_tests(l->domain, *l->compiled);
  if (opt.json) {
    std::string out;
    ev::write_test_report(report, out);
    std::cout << json::parse(out).dump(2) << "\n";
  } else {
    std::string file;
    for (const ev::TestCase& t : report.cases) {
      if (t.file != file) {
        file = t.file;
        std::cout << file << ":\n";
      }
      std::cout << (t.passed ? "PASS" : "FAIL") << ": \"" << t.name << "\" (line " << t.line << ")\n";
      for (const std::string& f : t.failures) std::cout << "    " << f << "\n";
    }
    if (!report.cases.empty()) std::cout << std::string(80, '-') << "\n";
    std::cout << report.passed << " passed, " << report.failed << " failed\n";
  }
  return report.failed ? kExitFindings : kExitOk;
}

}  // namespace

void register_eval_commands(CLI::App& app) {
  auto eo = std::make_shared<EvalOptions>();
  CLI::App* eval = app.add_subcommand("eval", "Evaluate payment contexts (JSON) against a domain");
  eval->add_option("domain", eo->domain, "A .pd file or a directory of them")->required();
  eval->add_option("--context,-c", eo->context, "Context JSON file, or - for stdin")->required();
  eval->add_flag("--explain", eo->explain, "Say which rule of which object produced each part");
  eval->add_flag("--batch", eo->batch, "The input is a JSON array or JSON lines of contexts");
  eval->add_option("--jobs,-j", eo->jobs, "Threads for --batch (default: all cores)");
  eval->callback([eo] { exit_code() = run_eval(*eo); });

  auto to = std::make_shared<TestOptions>();
  CLI::App* test = app.add_subcommand("test", "Run the domain's test blocks");
  test->add_option("domain", to->domain, "A .pd file or a directory of them")->required();
  test->add_flag("--json", to->json, "Print the report as JSON");
  test->callback([to] { exit_code() = run_test(*to); });
}

}  // namespace paydomain::cli
