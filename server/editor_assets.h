// The web editor compiled into the binary (web_editor/embed.mjs writes the
// table at build time, server/CMakeLists.txt), so `paydomain serve` serves it
// without --editor: an install is one file. Each file comes as is and
// gzip-compressed, each form with its own strong ETag (quoted).
#pragma once

#include <span>
#include <string_view>

namespace paydomain::server {

struct EditorAsset {
  std::string_view name;  // one path segment: "index.html", "app.js", ...
  std::string_view body;
  std::string_view gzip;
  std::string_view etag;       // of body
  std::string_view gzip_etag;  // of gzip
};

// Empty when the binary was built without the editor (no node at build time).
std::span<const EditorAsset> editor_assets();

}  // namespace paydomain::server
