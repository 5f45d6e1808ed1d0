// docs/language.md promises that every example on it is valid: each ```pd
// block passes the checker together with examples/acme, its objects taking
// the place of acme's objects of the same kind and id. The exception is a
// block that is the input of a shown mistake (marked `<!-- doctest: file
// NAME -->`; tests/cli/doc_examples_test.cc compares what check says of it).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dsl/checker.h"
#include "dsl/parser.h"

namespace paydomain::dsl {
namespace {

const std::string kSource = PAYDOMAIN_SOURCE_DIR;

struct Example {
  int line;  // of the opening fence
  std::string text;
};

std::vector<Example> pd_examples(const std::string& doc) {
  std::ifstream in(doc, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<Example> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("```", 0) != 0) continue;
    bool pd = lines[i] == "```pd";
    bool mistake = i > 0 && lines[i - 1].rfind("<!-- doctest: file ", 0) == 0;
    Example e{static_cast<int>(i + 1), ""};
    for (++i; i < lines.size() && lines[i].rfind("```", 0) != 0; ++i) e.text += lines[i] + "\n";
    if (pd && !mistake) out.push_back(std::move(e));
  }
  return out;
}

// The byte offset of code point `index` of UTF-8 `text` (spans count code
// points).
size_t byte_offset(const std::string& text, size_t index) {
  size_t at = 0;
  for (size_t n = 0; at < text.size() && n < index; ++n) {
    ++at;
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
  }
  return at;
}

using Key = std::pair<ObjectKind, std::string>;

TEST(LanguageDoc, EveryPdExampleChecksInPlaceOfAcmesObjects) {
  Diagnostics read_diags;
  std::vector<SourceFile> acme = read_sources({kSource + "/examples/acme"}, read_diags);
  ASSERT_FALSE(read_diags.has_errors());
  Diagnostics parse_diags;
  Domain acme_domain = parse(acme, parse_diags);
  ASSERT_FALSE(parse_diags.has_errors());

  std::vector<Example> examples = pd_examples(kSource + "/docs/language.md");
  EXPECT_GE(examples.size(), 20u) << "the doc's ```pd blocks were not found";
  for (const Example& ex : examples) {
    SCOPED_TRACE("docs/language.md:" + std::to_string(ex.line));
    Diagnostics own;
    Domain snippet = parse({SourceFile{"example.pd", ex.text}}, own);
    ASSERT_FALSE(own.has_errors()) << render_all(own.items(), snippet.files);
    std::set<Key> replaced;
    for (const Object& o : snippet.objects) replaced.insert({o.kind, o.id.text});

    // acme without the objects the example defines, plus the example.
    std::vector<SourceFile> files = acme;
    std::vector<const Object*> cut;
    for (const Object& o : acme_domain.objects)
      if (replaced.count({o.kind, o.id.text})) cut.push_back(&o);
    std::sort(cut.begin(), cut.end(), [](const Object* a, const Object* b) { return a->span.offset > b->span.offset; });
    for (const Object* o : cut) {
      std::string& text = files[o->span.file].text;
      size_t from = byte_offset(text, o->span.offset), to = byte_offset(text, o->span.end_offset);
      text.erase(from, to - from);
    }
    files.push_back(SourceFile{"language.md:" + std::to_string(ex.line) + ".pd", ex.text});
    Diagnostics diags;
    Domain d = load(files, diags);
    EXPECT_FALSE(diags.has_errors()) << render_all(diags.items(), d.files);
  }
}

}  // namespace
}  // namespace paydomain::dsl
