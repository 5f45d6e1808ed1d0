// Reading a domain's files from disk (see sources.h).
#include "dsl/sources.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace paydomain::dsl {

std::vector<SourceFile> read_sources(const std::vector<std::string>& paths, Diagnostics& diags) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".pd") found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        Diagnostic d;
        d.file = p;
        d.code = "no-sources";
        d.message = "the directory contains no .pd files";
        diags.add(std::move(d));
      }
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      Diagnostic d;
      d.file = p;
      d.code = "not-found";
      d.message = "no such file or directory";
      diags.add(std::move(d));
    }
  }
  std::vector<SourceFile> out;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      Diagnostic d;
      d.file = f;
      d.code = "unreadable";
      d.message = "cannot read the file";
      diags.add(std::move(d));
      continue;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    out.push_back(SourceFile{f, ss.str()});
  }
  return out;
}

}  // namespace paydomain::dsl
