// Working copies: directories of .pd files an analyst edits. Committing one
// computes the operations against a base revision; checking out writes a
// revision back in the analyst's file layout.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain_store/store.h"
#include "dsl/ast.h"

namespace paydomain::store {

// The operations that turn revision `base` into the domain of `files`
// (as read by dsl::read_sources). Paths are kept relative to `root` (the
// directory given, or a single file's directory). Objects whose canonical
// text is unchanged give no operation. A domain that does not parse or check
// is Invalid with the diagnostics (pointing into `files`).
Result<std::vector<Op>> ops_from_sources(Store& store, const std::vector<dsl::SourceFile>& files,
                                         const std::string& root, Rev base);
// The same for a working copy its caller loaded and checked already
// (dsl::load without errors), so it is not parsed and checked again.
Result<std::vector<Op>> ops_from_domain(Store& store, dsl::Domain& domain, const std::string& root, Rev base);

// dsl::format_object of every object of `domain`, in its order, in time
// linear in the domain: dsl::format_object scans every object of the domain
// on each call, so formatting a working copy object by object was quadratic
// (40,000 objects in one file: ~10 s). It relies on what the formatter reads
// of an object's file, its neighbours and the comments (checked against
// dsl::format_object by a test). `domain` is left as it was.
std::vector<std::string> format_objects(dsl::Domain& domain);

// ops_from_sources + commit; an empty change is EmptyCommit.
Result<CommitResult> commit_sources(Store& store, const std::vector<dsl::SourceFile>& files, const std::string& root,
                                    CommitRequest request, const TestsGating& tests = {});
// ops_from_domain + commit (`paydomain init --from` checks its seed before
// creating the store).
Result<CommitResult> commit_domain(Store& store, dsl::Domain& domain, const std::string& root, CommitRequest request,
                                   const TestsGating& tests = {});

// The .pd files of a revision: path -> text (objects joined by blank lines,
// in their stored order). Unsafe stored paths fall back to the kind's file.
// `first_lines`, when given, receives the line of its file (from 1) on which
// each object's text begins: a line within the file less it, plus 1, is the
// line within the object's own text.
std::vector<dsl::SourceFile> working_copy_files(const std::vector<StoredObject>& objects,
                                                std::map<ObjectKey, uint32_t>* first_lines = nullptr);

// The hash an artifact names its sources by (docs/artifact.md): hex SHA-256
// over each file's path, a NUL, its text, a NUL, in the order given.
std::string sources_hash(const std::vector<dsl::SourceFile>& files);

// Writes working_copy_files() under `dir` (created if missing). Refuses a
// directory that already holds .pd files, so no work is overwritten.
Status write_working_copy(const std::vector<StoredObject>& objects, const std::string& dir);

// The root a path argument stands for: itself for a directory, else its directory.
std::string working_copy_root(const std::string& path);

// The revision a working copy was checked out from, kept in
// `<root>/.paydomain/base` (one decimal number and a newline; not a .pd
// file, so dsl::read_sources never reads it). A commit made against it
// rebases onto head or reports the conflicts, instead of undoing what was
// committed since.
inline constexpr const char* kWorkingCopyBaseFile = ".paydomain/base";
// nullopt when the file does not exist; InvalidArgument when it does not
// hold a revision; Io when it cannot be read.
Result<std::optional<Rev>> read_working_copy_base(const std::string& root);
// Writes the file (through a temporary file and a rename: never half written).
Status write_working_copy_base(const std::string& root, Rev base);

}  // namespace paydomain::store
