#include "domain_store/result.h"
#include "domain_store/types.h"

namespace paydomain::store {

std::string ObjectKey::str() const { return std::string(dsl::to_string(kind)) + ":" + id; }

std::string ObjectKey::display() const {
  std::string s(dsl::to_string(kind));
  if (kind == dsl::ObjectKind::Test) return s + " \"" + id + "\"";
  return s + " " + id;
}

std::optional<ObjectKey> parse_object_key(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon + 1 >= text.size()) return std::nullopt;
  auto kind = dsl::object_kind_from_string(text.substr(0, colon));
  if (!kind) return std::nullopt;
  return ObjectKey{*kind, std::string(text.substr(colon + 1))};
}

ObjectKey key_of(const dsl::Object& object) { return ObjectKey{object.kind, object.id.text}; }

std::string_view to_string(OpType type) {
  switch (type) {
    case OpType::Insert: return "insert";
    case OpType::Update: return "update";
    case OpType::Remove: return "remove";
  }
  return "?";
}

std::optional<OpType> op_type_from_string(std::string_view s) {
  if (s == "insert") return OpType::Insert;
  if (s == "update") return OpType::Update;
  if (s == "remove") return OpType::Remove;
  return std::nullopt;
}

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "invalid-argument";
    case ErrorCode::NotFound: return "not-found";
    case ErrorCode::EmptyCommit: return "empty-commit";
    case ErrorCode::Invalid: return "invalid";
    case ErrorCode::Conflict: return "conflict";
    case ErrorCode::TestsFailed: return "tests-failed";
    case ErrorCode::IdempotencyMismatch: return "idempotency-mismatch";
    case ErrorCode::NotAStore: return "not-a-store";
    case ErrorCode::SchemaTooNew: return "schema-too-new";
    case ErrorCode::Corrupt: return "corrupt";
    case ErrorCode::Busy: return "busy";
    case ErrorCode::Io: return "io";
    case ErrorCode::Internal: return "internal";
  }
  return "?";
}

}  // namespace paydomain::store
