#include "client/client.h"

#include <fstream>
#include <sstream>

#include "evaluator/context_json.h"
#include "evaluator/program.h"

namespace paydomain::client {

using evaluator::Program;

uint16_t supported_format_major() { return evaluator::pdc::kFormatMajor; }
uint16_t supported_format_minor() { return evaluator::pdc::kFormatMinor; }

Artifact::Artifact(std::shared_ptr<const Program> program) : program_(std::move(program)) {}

Result<std::shared_ptr<const Artifact>> Artifact::load(std::string bytes) {
  auto p = Program::load(std::move(bytes));
  if (!p) return p.take_error();
  return std::make_shared<const Artifact>(std::move(*p));
}

Result<std::shared_ptr<const Artifact>> Artifact::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, "cannot open the artifact file"};
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return Error{path, "cannot read the artifact file"};
  auto a = load(std::move(s).str());
  if (!a) return Error{path, a.error().message};
  return a;
}

uint64_t Artifact::revision() const { return program_->revision(); }
std::string_view Artifact::source_hash() const { return program_->source_hash(); }
uint16_t Artifact::format_major() const { return program_->format_major(); }
uint16_t Artifact::format_minor() const { return program_->format_minor(); }
size_t Artifact::size() const { return program_->size(); }
size_t Artifact::resident_bytes() const { return program_->resident_bytes() + sizeof(Artifact); }

int32_t Artifact::find(Attr attribute, std::string_view value) const { return program_->find(attribute, value); }
int32_t Artifact::object(ObjectKind kind, std::string_view id) const { return program_->object(kind, id); }
std::string_view Artifact::object_name(ObjectKind kind, int32_t index) const {
  if (index < 0 || index >= program_->object_count(kind)) return {};
  return program_->object_name(kind, index);
}
int32_t Artifact::object_count(ObjectKind kind) const { return program_->object_count(kind); }
int32_t Artifact::exponent(int32_t currency) const {
  if (currency < 0 || currency >= program_->object_count(ObjectKind::Currency)) return -1;
  return program_->exponent(currency);
}

Status Artifact::read_context(std::string_view json, Context& out) const {
  return evaluator::parse_context_into(json, *program_, out);
}

Result<Context> Artifact::read_context(std::string_view json) const { return evaluator::parse_context(json, *program_); }

Status Artifact::check(const Context& context) const { return program_->check_context(context); }

void Artifact::evaluate(const Context& context, const EvalOptions& options, EvalResult& out) const {
  evaluator::evaluate(*program_, context, options, out);
}

EvalResult Artifact::evaluate(const Context& context, const EvalOptions& options) const {
  EvalResult r;
  evaluate(context, options, r);
  return r;
}

std::vector<std::string> Artifact::missing_names(uint64_t missing) { return evaluator::missing_names(missing); }

}  // namespace paydomain::client
