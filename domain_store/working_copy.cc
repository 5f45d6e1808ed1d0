#include "domain_store/working_copy.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "domain_store/objects.h"
#include "domain_store/sha256.h"
#include "dsl/checker.h"
#include "dsl/formatter.h"

namespace paydomain::store {
namespace fs = std::filesystem;
namespace {

std::string relative_to(const std::string& file, const std::string& root) {
  std::error_code ec;
  fs::path rel = fs::relative(fs::path(file), fs::path(root), ec);
  if (ec || rel.empty()) return fs::path(file).filename().generic_string();
  return rel.generic_string();
}

// A stored path is written under the checkout directory only if it stays there.
bool safe_path(const std::string& p) {
  if (p.empty() || p.size() > 400) return false;
  fs::path path(p);
  if (path.is_absolute() || path.extension() != ".pd") return false;
  for (const auto& part : path) {
    if (part == ".." || part == ".") return false;
  }
  return p.find('\\') == std::string::npos && p.find('\0') == std::string::npos;
}

}  // namespace

std::string working_copy_root(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return path;
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

Result<std::optional<Rev>> read_working_copy_base(const std::string& root) {
  fs::path file = fs::path(root) / kWorkingCopyBaseFile;
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    if (ec) return make_error(ErrorCode::Io, "cannot read " + file.string() + ": " + ec.message());
    return std::optional<Rev>{};
  }
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return make_error(ErrorCode::Io, "cannot read " + file.string());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  Rev rev = 0;
  bool digits = !text.empty() && text.size() <= 18;
  for (char c : text) {
    if (c < '0' || c > '9') digits = false;
  }
  if (!digits) {
    return make_error(ErrorCode::InvalidArgument, file.string() + " does not hold a revision number; give --base REV");
  }
  for (char c : text) rev = rev * 10 + (c - '0');
  return std::optional<Rev>{rev};
}

Status write_working_copy_base(const std::string& root, Rev base) {
  fs::path file = fs::path(root) / kWorkingCopyBaseFile;
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) return make_error(ErrorCode::Io, "cannot create " + file.parent_path().string() + ": " + ec.message());
  fs::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << base << "\n";
    out.close();
    if (!out) return make_error(ErrorCode::Io, "cannot write " + tmp.string());
  }
  fs::rename(tmp, file, ec);
  if (ec) return make_error(ErrorCode::Io, "cannot write " + file.string() + ": " + ec.message());
  return Ok{};
}

std::vector<std::string> format_objects(dsl::Domain& domain) {
  std::vector<std::string> out(domain.objects.size());
  std::map<uint32_t, std::vector<size_t>> by_file;  // each file's objects, in domain order
  for (size_t i = 0; i < domain.objects.size(); ++i) by_file[domain.objects[i].span.file].push_back(i);
  // The formatter reads an object's file text, the comments, and the objects
  // of its file just before and after it (whose comments are whose): a
  // scratch domain holding those three formats it exactly as the whole
  // domain would. Files and comments are lent to it, not copied.
  struct Lend {
    dsl::Domain& from;
    dsl::Domain scratch;
    explicit Lend(dsl::Domain& d) : from(d) {
      scratch.files = std::move(d.files);
      scratch.comments = std::move(d.comments);
    }
    ~Lend() {
      from.files = std::move(scratch.files);
      from.comments = std::move(scratch.comments);
    }
  } lend(domain);
  dsl::Domain& scratch = lend.scratch;
  for (const auto& [file, objs] : by_file) {
    for (size_t k = 0; k < objs.size(); ++k) {
      scratch.objects.clear();
      if (k > 0) scratch.objects.push_back(domain.objects[objs[k - 1]]);
      size_t self = scratch.objects.size();
      scratch.objects.push_back(domain.objects[objs[k]]);
      if (k + 1 < objs.size()) scratch.objects.push_back(domain.objects[objs[k + 1]]);
      out[objs[k]] = dsl::format_object(scratch, scratch.objects[self]);
    }
  }
  return out;
}

Result<std::vector<Op>> ops_from_sources(Store& store, const std::vector<dsl::SourceFile>& files,
                                         const std::string& root, Rev base) {
  dsl::Diagnostics diags;
  dsl::Domain domain = dsl::load(files, diags);
  if (diags.has_errors()) {
    Error e = make_error(ErrorCode::Invalid, "the working copy does not check: " +
                                                 std::to_string(diags.error_count()) + " error(s)");
    diags.sort();
    for (const auto& d : diags.items()) {
      if (d.severity == dsl::Severity::Error) e.diagnostics.push_back(d);
    }
    return e;
  }
  return ops_from_domain(store, domain, root, base);
}

Result<std::vector<Op>> ops_from_domain(Store& store, dsl::Domain& domain, const std::string& root, Rev base) {
  auto stored = store.checkout(base);
  if (!stored) return stored.take_error();
  std::map<ObjectKey, const StoredObject*> at_base;
  for (const auto& o : *stored) at_base[o.key] = &o;

  std::vector<Op> ops;
  std::map<uint32_t, int64_t> next_ordinal;  // per file
  std::map<uint32_t, std::string> rel_path;  // per file: fs::relative touches the disk, once per file
  std::map<ObjectKey, bool> present;
  std::vector<std::string> texts = format_objects(domain);
  for (size_t i = 0; i < domain.objects.size(); ++i) {
    const dsl::Object& obj = domain.objects[i];
    ObjectKey key = key_of(obj);
    present[key] = true;
    Op op;
    op.key = key;
    op.text = std::move(texts[i]);
    auto rel = rel_path.find(obj.span.file);
    if (rel == rel_path.end()) rel = rel_path.emplace(obj.span.file, relative_to(domain.files[obj.span.file].path, root)).first;
    op.path = rel->second;
    op.ordinal = next_ordinal[obj.span.file]++;
    auto it = at_base.find(key);
    if (it == at_base.end()) {
      op.type = OpType::Insert;
    } else if (it->second->text != op.text) {
      op.type = OpType::Update;
    } else {
      continue;  // unchanged (a move between files alone is not a change)
    }
    ops.push_back(std::move(op));
  }
  for (const auto& o : *stored) {
    if (!present.count(o.key)) ops.push_back(Op{OpType::Remove, o.key, "", "", std::nullopt});
  }
  return ops;
}

namespace {

Result<CommitResult> commit_ops(Store& store, Result<std::vector<Op>> ops, CommitRequest request,
                                const TestsGating& tests) {
  if (!ops) return ops.take_error();
  if (ops->empty()) {
    return make_error(ErrorCode::EmptyCommit, "nothing to commit: the working copy equals revision " +
                                                  std::to_string(request.base));
  }
  request.ops = std::move(*ops);
  return store.commit(request, tests);
}

}  // namespace

Result<CommitResult> commit_sources(Store& store, const std::vector<dsl::SourceFile>& files, const std::string& root,
                                    CommitRequest request, const TestsGating& tests) {
  auto ops = ops_from_sources(store, files, root, request.base);
  return commit_ops(store, std::move(ops), std::move(request), tests);
}

Result<CommitResult> commit_domain(Store& store, dsl::Domain& domain, const std::string& root, CommitRequest request,
                                   const TestsGating& tests) {
  auto ops = ops_from_domain(store, domain, root, request.base);
  return commit_ops(store, std::move(ops), std::move(request), tests);
}

std::vector<dsl::SourceFile> working_copy_files(const std::vector<StoredObject>& objects,
                                                std::map<ObjectKey, uint32_t>* first_lines) {
  // Objects arrive ordered by (path, ordinal, key); keep that order per file.
  std::map<std::string, std::string> files;
  std::map<std::string, uint32_t> lines;  // per file: its lines so far (first_lines only)
  for (const StoredObject& o : objects) {
    std::string path = safe_path(o.path) ? o.path : default_path(o.key.kind);
    std::string& text = files[path];
    const size_t start = text.size();
    if (start > 0) text += "\n";
    text += o.text;
    if (!o.text.empty() && o.text.back() != '\n') text += "\n";
    if (first_lines) {
      uint32_t& so_far = lines[path];
      (*first_lines)[o.key] = so_far + (start > 0 ? 2 : 1);  // after the blank line before it
      so_far += static_cast<uint32_t>(std::count(text.begin() + static_cast<ptrdiff_t>(start), text.end(), '\n'));
    }
  }
  std::vector<dsl::SourceFile> out;
  for (const auto& [path, text] : files) out.push_back(dsl::SourceFile{path, text});
  return out;
}

Status write_working_copy(const std::vector<StoredObject>& objects, const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return make_error(ErrorCode::InvalidArgument, dir + " is not a directory");
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->path().extension() == ".pd") {
        return make_error(ErrorCode::InvalidArgument,
                          dir + " already holds .pd files (" + it->path().string() + "); check out into an empty directory");
      }
    }
  }
  for (const auto& f : working_copy_files(objects)) {
    fs::path target = fs::path(dir) / f.path;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return make_error(ErrorCode::Io, "cannot create " + target.parent_path().string() + ": " + ec.message());
    std::ofstream out(target, std::ios::binary);
    out << f.text;
    out.close();
    if (!out) return make_error(ErrorCode::Io, "cannot write " + target.string());
  }
  if (objects.empty()) fs::create_directories(dir, ec);
  return Ok{};
}

}  // namespace paydomain::store

namespace paydomain::store {

std::string sources_hash(const std::vector<dsl::SourceFile>& files) {
  std::string all;
  for (const dsl::SourceFile& f : files) {
    all.append(f.path).push_back('\0');
    all.append(f.text).push_back('\0');
  }
  return sha256_hex(all);
}

}  // namespace paydomain::store
