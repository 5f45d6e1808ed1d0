// GET / and /{file}: the web editor's files. With --editor DIR, that
// directory's files as they are (development: rebuilt without relinking);
// otherwise the files compiled in (editor_assets.h), gzip-compressed when the
// client accepts gzip, with a strong ETag per form (If-None-Match answers
// 304) and "Cache-Control: no-cache" (revalidated, so a new binary's editor
// is seen at once). HEAD is answered by App from the GET.
#pragma once

#include <string>

#include "server/http.h"

namespace paydomain::server {

// `name`: the one path segment asked for ("" for "/"); `editor_dir` as configured.
Response editor_file(const Request& req, std::string name, const std::string& editor_dir);

// Accept-Encoding allows gzip (a "gzip" or "*" coding whose q is not 0).
bool accepts_gzip(std::string_view accept_encoding);

// If-None-Match names `etag` (weak comparison, RFC 9110 13.1.2) or is "*".
bool none_match(std::string_view if_none_match, std::string_view etag);

}  // namespace paydomain::server
