// Re-checks stored revisions with the language's checker, through the Store
// interface only, so every backend's fsck shares it.
#pragma once

#include "domain_store/store.h"

namespace paydomain::store {

// Checks revision `head` (every revision 1..head when `every`), parsing only
// the objects each revision changed. Problems are appended to report.
void check_revision_domains(Store& store, Rev head, bool every, FsckReport& report);

}  // namespace paydomain::store
