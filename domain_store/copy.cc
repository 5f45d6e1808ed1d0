#include "domain_store/copy.h"

#include <algorithm>

#include "domain_store/records.h"
#include "domain_store/sha256.h"
#include "domain_store/store_factory.h"
#include "domain_store/stored_artifacts.h"

namespace paydomain::store {
namespace {

constexpr Rev kBatch = 200;  // revisions per read and per destination transaction

void add_field(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

}  // namespace

Result<std::string> revision_content_hash(Store& store, Rev rev) {
  auto info = store.revision(rev);
  if (!info) return info.take_error();
  auto objects = store.checkout(rev);
  if (!objects) return objects.take_error();
  std::string data;
  add_field(data, std::to_string(info->rev));
  add_field(data, std::to_string(info->base));
  add_field(data, info->author);
  add_field(data, info->message);
  add_field(data, std::to_string(info->time_ms));
  add_field(data, info->idempotency_key.value_or(""));
  add_field(data, info->idempotency_key ? "k" : "-");
  // Only when present: hashes of revisions without it stay what they were.
  if (info->failing_tests_allowed) add_field(data, "failing-tests-allowed:" + *info->failing_tests_allowed);
  for (const StoredObject& o : *objects) {
    add_field(data, o.key.str());
    add_field(data, o.path);
    add_field(data, std::to_string(o.ordinal));
    add_field(data, std::to_string(o.since));
    add_field(data, o.text);
  }
  std::string hex = sha256_hex(data);
  if (hex.empty()) return make_error(ErrorCode::Internal, "SHA-256 is unavailable");
  return hex;
}

Result<CopyReport> copy_store(const std::string& from, const std::string& to,
                              const std::function<void(Rev, Rev)>& progress, const ArtifactVerifier& verify) {
  if (from == to) return make_error(ErrorCode::InvalidArgument, "copy needs two different stores");
  auto source = open_store(from);
  if (!source) return source.take_error();
  auto source_records = open_records(from);
  if (!source_records) return source_records.take_error();
  auto dest = init_store(to);
  if (!dest) return dest.take_error();
  auto dest_records = open_records(to);
  if (!dest_records) return dest_records.take_error();

  CopyReport report;
  auto head = (*source_records)->head();
  if (!head) return head.take_error();
  report.head = *head;
  // The source may take commits meanwhile: everything up to this head is copied.
  for (Rev first = 0; first <= *head; first += kBatch) {
    Rev last = std::min(*head, first + kBatch - 1);
    auto batch = (*source_records)->read(first, last);
    if (!batch) return batch.take_error();
    if (static_cast<Rev>(batch->size()) != last - first + 1) {
      return make_error(ErrorCode::Corrupt, "the source's revisions " + std::to_string(first) + ".." +
                                                std::to_string(last) + " are not dense (run fsck)");
    }
    if (Status s = (*dest_records)->append(*batch); !s) return s.take_error();
    report.revisions += static_cast<int64_t>(batch->size());
    if (progress) progress(last, *head);
  }
  auto tokens = (*source_records)->tokens();
  if (!tokens) return tokens.take_error();
  if (Status s = (*dest_records)->put_tokens(*tokens); !s) return s.take_error();
  report.tokens = static_cast<int64_t>(tokens->size());

  // The artifacts stored with the revisions, carried as they are.
  auto artifacts = copy_stored_artifacts(**source, **dest);
  if (!artifacts) return artifacts.take_error();
  report.artifacts = *artifacts;

  // Verify: the copy is a sound store (its artifacts too, with `verify`), and
  // reads the same at every revision.
  FsckOptions check{false};
  check.verify_artifact = verify;
  auto fsck = (*dest)->fsck(check);
  if (!fsck) return fsck.take_error();
  if (!fsck->ok()) return make_error(ErrorCode::Corrupt, "the copy fails fsck: " + fsck->problems.front());
  if (fsck->head != *head) {
    return make_error(ErrorCode::Corrupt, "the copy's head is " + std::to_string(fsck->head) + ", not " + std::to_string(*head));
  }
  for (Rev rev = 0; rev <= *head; ++rev) {
    auto a = revision_content_hash(**source, rev);
    if (!a) return a.take_error();
    auto b = revision_content_hash(**dest, rev);
    if (!b) return b.take_error();
    if (*a != *b) return make_error(ErrorCode::Corrupt, "revision " + std::to_string(rev) + " differs in the copy");
    ++report.revisions_verified;
  }
  auto dest_tokens = (*dest_records)->tokens();
  if (!dest_tokens) return dest_tokens.take_error();
  if (dest_tokens->size() != tokens->size()) return make_error(ErrorCode::Corrupt, "the copy's tokens differ");
  for (size_t i = 0; i < tokens->size(); ++i) {
    const TokenRecord &x = (*tokens)[i], &y = (*dest_tokens)[i];
    if (x.token_hash != y.token_hash || x.info.id != y.info.id || x.info.name != y.info.name ||
        x.info.role != y.info.role || x.info.created_ms != y.info.created_ms || x.info.revoked_ms != y.info.revoked_ms) {
      return make_error(ErrorCode::Corrupt, "token " + std::to_string(x.info.id) + " differs in the copy");
    }
  }
  return report;
}

}  // namespace paydomain::store
