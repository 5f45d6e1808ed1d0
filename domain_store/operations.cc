#include "domain_store/operations.h"

namespace paydomain::store {
namespace {

// The op that turns `from` into `to` for one object.
Op op_towards(const ObjectChange& c, bool backwards) {
  const auto& from = backwards ? c.after : c.before;
  const auto& to = backwards ? c.before : c.after;
  Op op;
  op.key = c.key;
  if (!to) {
    op.type = OpType::Remove;
    return op;
  }
  op.type = from ? OpType::Update : OpType::Insert;
  op.text = to->text;
  op.path = to->path;
  op.ordinal = to->ordinal;
  return op;
}

CommitRequest request_from(const CommitMeta& meta, Rev base) {
  CommitRequest r;
  r.base = base;
  r.author = meta.author;
  r.message = meta.message;
  r.idempotency_key = meta.idempotency_key;
  return r;
}

}  // namespace

Result<CommitResult> revert_revision(Store& store, Rev rev, const CommitMeta& meta, const TestsGating& tests) {
  if (rev < 1) return make_error(ErrorCode::InvalidArgument, "revision 0 is the empty domain; there is nothing to revert");
  auto changes = store.changes(rev - 1, rev);
  if (!changes) return changes.take_error();
  // Based on `rev`: the commit's conflict check refuses it exactly when a
  // later revision touched one of these objects.
  CommitRequest r = request_from(meta, rev);
  for (const auto& c : *changes) r.ops.push_back(op_towards(c, true));
  return store.commit(r, tests);
}

Result<CommitResult> restore_revision(Store& store, Rev rev, const CommitMeta& meta, const TestsGating& tests) {
  auto head = store.head();
  if (!head) return head.take_error();
  auto changes = store.changes(*head, rev);
  if (!changes) return changes.take_error();
  if (changes->empty()) {
    return make_error(ErrorCode::EmptyCommit, "nothing to commit: head already equals revision " + std::to_string(rev));
  }
  CommitRequest r = request_from(meta, *head);
  for (const auto& c : *changes) r.ops.push_back(op_towards(c, false));
  return store.commit(r, tests);
}

}  // namespace paydomain::store
