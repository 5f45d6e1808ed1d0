// Compiled artifacts stored with their revisions (docs/store.md, "Compiled
// artifacts"): the commit's in-transaction write and the read/replace of one.
// Parameters travel as text, so the bytes go as bytea's hex form.
#include "domain_store/artifact_sql.h"
#include "domain_store/postgres/pg_store_impl.h"

namespace paydomain::store::pg {

namespace {

std::string bytea_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\\x";
  out.resize(2 + 2 * bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 + 2 * i] = kDigits[b >> 4];
    out[3 + 2 * i] = kDigits[b & 15];
  }
  return out;
}

Result<std::string> from_bytea(const std::string& text) {
  size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text.c_str()), &n);
  if (!raw) return make_error(ErrorCode::Io, "out of memory reading a stored artifact");
  std::string out(reinterpret_cast<const char*>(raw), n);
  PQfreemem(raw);
  return out;
}

// One artifact row, replacing the same format's and older minors' of its major.
Status write_artifact_row(Conn& c, const StoredArtifact& a) {
  if (Status s = c.run(artifact_sql::kDeleteOlder, {P(a.rev), P(int64_t{a.format_major}), P(int64_t{a.format_minor})});
      !s)
    return s;
  return c.run(artifact_sql::kUpsert, {P(a.rev), P(int64_t{a.format_major}), P(int64_t{a.format_minor}),
                                       P(a.source_hash), P(bytea_hex(a.bytes))});
}

}  // namespace

void write_commit_artifact(Conn& c, const StoredArtifact& artifact) {
  // A savepoint: a failed statement would otherwise abort the whole
  // transaction; this way the revision is written whole, only without its
  // artifact (the first service to need it compiles and stores it).
  if (Status s = c.run("SAVEPOINT artifact"); !s) return;
  if (!write_artifact_row(c, artifact)) (void)c.run("ROLLBACK TO SAVEPOINT artifact");
  (void)c.run("RELEASE SAVEPOINT artifact");
}

Result<std::optional<StoredArtifact>> PgStore::artifact(Rev rev, uint16_t format_major, uint16_t format_minor) {
  auto c = reader();
  if (!c) return c.take_error();
  auto r = (*c)->query(artifact_sql::kSelect, {P(rev), P(int64_t{format_major}), P(int64_t{format_minor})});
  if (!r) return r.take_error();
  if (r->empty()) return std::optional<StoredArtifact>();
  auto bytes = from_bytea(r->text(0, 1));
  if (!bytes) return bytes.take_error();
  return std::optional<StoredArtifact>(
      StoredArtifact{rev, format_major, format_minor, r->text(0, 0), std::move(*bytes)});
}

Result<std::vector<ArtifactKey>> PgStore::artifact_keys() {
  auto c = reader();
  if (!c) return c.take_error();
  auto r = (*c)->query(artifact_sql::kKeys);
  if (!r) return r.take_error();
  std::vector<ArtifactKey> out;
  for (int i = 0; i < r->size(); ++i) {
    out.push_back({r->i64(i, 0), static_cast<uint16_t>(r->i64(i, 1)), static_cast<uint16_t>(r->i64(i, 2)),
                   r->text(i, 3), r->i64(i, 4)});
  }
  return out;
}

Status PgStore::put_artifact(const StoredArtifact& a) {
  auto c = reader();
  if (!c) return c.take_error();
  Txn txn(**c);
  if (Status s = txn.begin(); !s) return s;
  auto exists = (*c)->scalar("SELECT count(*) FROM revisions WHERE rev = $1", {P(a.rev)});
  if (!exists) return exists.take_error();
  if (*exists == 0) return make_error(ErrorCode::NotFound, "no revision " + std::to_string(a.rev));
  if (Status s = write_artifact_row(**c, a); !s) return s;
  return txn.commit();
}

}  // namespace paydomain::store::pg
