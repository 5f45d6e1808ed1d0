#include "domain_store/objects.h"

#include "dsl/formatter.h"
#include "dsl/parser.h"

namespace paydomain::store {

Result<ParsedObject> parse_object_text(const ObjectKey& key, const std::string& text) {
  std::vector<dsl::SourceFile> files{{key.display(), text}};
  dsl::Diagnostics diags;
  dsl::Domain domain = dsl::parse(std::move(files), diags);
  Error err = make_error(ErrorCode::Invalid, "");
  for (auto& d : diags.items()) {
    if (d.severity != dsl::Severity::Error) continue;
    if (d.object.empty()) d.object = key.display();
    err.diagnostics.push_back(d);
  }
  if (err.diagnostics.empty()) {
    if (domain.objects.size() != 1) {
      dsl::Diagnostic d;
      d.file = key.display();
      d.code = "object-count";
      d.object = key.display();
      d.message = "the text of " + key.display() + " must define exactly that one object, not " +
                  std::to_string(domain.objects.size());
      err.diagnostics.push_back(d);
    } else if (key_of(domain.objects[0]) != key) {
      const dsl::Object& o = domain.objects[0];
      dsl::Diagnostic d;
      d.file = key.display();
      d.line = o.span.line;
      d.column = o.span.column;
      d.code = "object-identity";
      d.object = key.display();
      d.message = "the text defines " + o.display_name() + ", not " + key.display();
      err.diagnostics.push_back(d);
    }
  }
  if (!err.diagnostics.empty()) {
    err.message = key.display() + ": the text does not parse as that object";
    return err;
  }
  ParsedObject out;
  out.canonical = dsl::format_object(domain, domain.objects[0]);
  out.object = std::move(domain.objects[0]);
  return out;
}

std::string default_path(dsl::ObjectKind kind) { return std::string(dsl::to_string(kind)) + ".pd"; }

void attribute_to_objects(std::vector<dsl::Diagnostic>& diags) {
  for (auto& d : diags) {
    if (!d.object.empty()) d.file = d.object;
  }
}

}  // namespace paydomain::store
