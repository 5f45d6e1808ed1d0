// `paydomain check`, `paydomain fmt` and `paydomain schema`.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "dsl/checker.h"
#include "dsl/formatter.h"
#include "dsl/json.h"
#include "evaluator/check.h"
#include "dsl/parser.h"
#include "dsl/schema.h"
#include "evaluator/analyze.h"

namespace paydomain::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> paths;
  bool json = false;
};

int run_check(const CheckOptions& opt) {
  dsl::Diagnostics read_diags;
  auto files = dsl::read_sources(opt.paths, read_diags);
  evaluator::CheckReport report = evaluator::check_sources(files, std::move(read_diags));
  const dsl::Diagnostics& diags = report.diagnostics;
  if (opt.json) {
    std::string out;
    evaluator::write_check_report(report, out);
    std::cout << nlohmann::json::parse(out).dump(2) << "\n";
  } else {
    std::cerr << dsl::render_all(diags.items(), files);
    if (report.ok()) {
      std::cout << "ok: " << report.domain.objects.size() << " objects in " << files.size() << " file"
                << (files.size() == 1 ? "" : "s");
      if (diags.warning_count()) std::cout << ", " << diags.warning_count() << " warning(s)";
      std::cout << "\n";
    } else {
      std::cerr << diags.error_count() << " error(s), " << diags.warning_count() << " warning(s)\n";
    }
  }
  return report.ok() ? kExitOk : kExitFindings;
}

struct FmtOptions {
  std::vector<std::string> paths;
  bool write = false;
  bool check = false;
};

// Replaces `path` atomically (temp file + rename), keeping its permissions.
bool write_file(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  std::string tmp = path + ".fmt-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !(out << text) || !out.flush()) return false;
  }
  std::error_code ec;
  fs::permissions(tmp, fs::status(path, ec).permissions(), ec);
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
  return !ec;
}

// Each file is parsed on its own: a file with syntax errors is reported and
// left untouched, the others are still formatted.
int run_fmt(const FmtOptions& opt) {
  dsl::Diagnostics read_diags;
  auto files = dsl::read_sources(opt.paths, read_diags);
  std::cerr << dsl::render_all(read_diags.items(), files);
  bool failed = read_diags.has_errors();
  std::vector<std::string> unformatted;
  for (dsl::SourceFile& file : files) {
    auto formatted = dsl::format_source(file);
    if (!formatted) {
      std::cerr << dsl::render_all(formatted.error(), {file});
      std::cerr << file.path << ": not formatted (syntax errors)\n";
      failed = true;
      continue;
    }
    const std::string& text = *formatted;
    bool changed = text != file.text;
    if (opt.check) {
      if (changed) unformatted.push_back(file.path);
    } else if (opt.write) {
      if (!changed) continue;
      if (write_file(file.path, text)) {
        std::cout << "formatted " << file.path << "\n";
      } else {
        std::cerr << file.path << ": error: cannot write the file\n";
        failed = true;
      }
    } else {
      // Several files print one after another, each under a comment line
      // naming it, so the output is still a valid domain.
      if (files.size() > 1) std::cout << "# file: " << file.path << "\n";
      std::cout << text;
    }
  }
  for (const std::string& path : unformatted) std::cout << "not formatted: " << path << "\n";
  if (!unformatted.empty()) {
    std::cerr << unformatted.size() << " file(s) need formatting; run `paydomain fmt --write`\n";
  }
  return failed || !unformatted.empty() ? kExitFindings : kExitOk;
}

// The payment context and the condition attributes as a table (text), or
// the whole vocabulary as JSON for tools (dsl::schema_to_json).
int run_schema(bool json) {
  if (json) {
    std::cout << dsl::schema_to_json().dump(2) << "\n";
    return kExitOk;
  }
  auto row = [](std::string_view a, std::string_view b, std::string_view c) {
    std::string line(a);
    line.resize(std::max<size_t>(line.size() + 2, 30), ' ');
    line += b;
    line.resize(std::max<size_t>(line.size() + 2, 42), ' ');
    return line + std::string(c) + "\n";
  };
  std::cout << "Payment context (JSON path, type):\n";
  for (const dsl::ContextField& f : dsl::context_fields()) {
    std::string type(dsl::to_string(f.type));
    if (f.type == dsl::FieldType::Reference) type += " " + std::string(dsl::to_string(f.ref_kind));
    std::cout << "  " << row(f.path, type, f.help);
  }
  std::cout << "\nCondition attributes (name, type):\n";
  for (const dsl::AttributeInfo& a : dsl::attributes()) {
    if (a.derived) continue;
    std::string type(dsl::to_string(a.type));
    if (a.type == dsl::AttrType::Reference) type += " " + std::string(dsl::to_string(a.ref_kind));
    std::cout << "  " << row(a.name, type, a.help);
  }
  return kExitOk;
}

}  // namespace

void register_dsl_commands(CLI::App& app) {
  auto check_opt = std::make_shared<CheckOptions>();
  CLI::App* check = app.add_subcommand("check", "Parse and check a domain (a .pd file or a directory of them)");
  check->add_option("paths", check_opt->paths, "Files or directories")->required();
  check->add_flag("--json", check_opt->json, "Print diagnostics as JSON");
  check->callback([check_opt] { exit_code() = run_check(*check_opt); });

  auto fmt_opt = std::make_shared<FmtOptions>();
  CLI::App* fmt = app.add_subcommand(
      "fmt", "Print the canonical text of .pd files (a file or a directory of them), or rewrite/check them");
  fmt->add_option("paths", fmt_opt->paths, "Files or directories")->required();
  CLI::Option* write = fmt->add_flag("--write,-w", fmt_opt->write, "Rewrite files in place (only those that change)");
  fmt->add_flag("--check", fmt_opt->check, "List files that are not formatted; exit 1 if any")->excludes(write);
  fmt->callback([fmt_opt] { exit_code() = run_fmt(*fmt_opt); });

  auto schema_json = std::make_shared<bool>(false);
  CLI::App* schema = app.add_subcommand(
      "schema", "Print the payment-context fields (JSON paths, types) and the condition attributes");
  schema->add_flag("--json", *schema_json,
                   "The whole vocabulary as JSON: context fields, attributes, keywords, object kinds, accounts, enums");
  schema->callback([schema_json] { exit_code() = run_schema(*schema_json); });
}

}  // namespace paydomain::cli
