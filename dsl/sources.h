// A domain's files from disk, before parsing.
#pragma once

#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostics.h"

namespace paydomain::dsl {

// Reads a domain from disk: a .pd file, or a directory (every *.pd file in it
// and below, sorted by path). Missing, empty or unreadable paths become
// diagnostics (`not-found`, `no-sources`, `unreadable`); the files that could
// be read are returned.
std::vector<SourceFile> read_sources(const std::vector<std::string>& paths, Diagnostics& diags);

}  // namespace paydomain::dsl
