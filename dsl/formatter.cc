// Layout of objects over lines, and putting every comment back.
//
// Comments are not in the tree; they are a sorted list with positions. The
// writer walks the tree in source order and, before each statement-level node
// (object, clause, posting, decision arm, given entry) and before each closing
// brace, emits the pending comments that come before it in the source. Since
// comments only ever leave the queue in order, none is lost or reordered; the
// position rules below only decide which line each lands on.
#include <algorithm>
#include <cctype>
#include <optional>

#include "dsl/formatter.h"
#include "dsl/parser.h"

namespace paydomain::dsl {
namespace {

constexpr size_t kMaxOneLineClauses = 4;

using CommentIt = std::vector<Comment>::const_iterator;

class Writer {
 public:
  Writer(CommentIt next, CommentIt end) : next_(next), end_(end) {}

  std::string take() { return std::move(out_); }

  // True if a pending comment lies before `offset` (inside a node being laid out).
  bool comment_before(uint32_t offset) const { return next_ != end_ && next_->span.offset < offset; }

  // A node printed on one line.
  void line(const Span& s, const std::string& text) {
    comments_before(s.offset);
    gap(s.line);
    put(text);
    node_done(s.end_line);
  }

  // The "... {" line(s) of a block node; its body follows one level deeper.
  // A comment on the source line of the `{` trails the header's last line,
  // so a header that gets wrapped keeps its comment the same on the next run.
  void open(const Span& s, const std::string& header, uint32_t brace_line) {
    comments_before(s.offset);
    gap(s.line);
    put(header);
    node_done(brace_line);
    ++indent_;
    block_start_ = true;
  }

  // Comments still inside the block, then "}" at `brace_offset`.
  void close(uint32_t brace_offset, uint32_t end_line) {
    comments_before(brace_offset);
    --indent_;
    put("}");
    node_done(end_line);
  }

  // A comment on the same line as the last node printed stays at its end.
  void trailing() {
    while (next_ != end_ && trailing_ok_ && next_->span.line == trailing_line_) emit(*next_++);
  }

  // A line without a source position (terms items when their positions are
  // unknown): no comment may trail it and no blank line may follow it, since
  // neither could be placed the same way on the next run.
  void plain(const std::string& text) {
    put(text);
    block_start_ = true;
    trailing_ok_ = false;
  }

  size_t indent_width() const { return 2 * static_cast<size_t>(std::max(indent_, 0)); }

  void comments_before(uint32_t offset) {
    while (next_ != end_ && next_->span.offset < offset) emit(*next_++);
  }
  void rest() {
    while (next_ != end_) emit(*next_++);
  }

 private:
  void emit(const Comment& c) {
    if (trailing_ok_ && c.span.line == trailing_line_) {
      out_.pop_back();  // the '\n' of the node's line
      out_ += "  " + c.text + "\n";
      trailing_ok_ = false;
    } else {
      gap(c.span.line);
      put(c.text);
      trailing_ok_ = false;
    }
    last_line_ = std::max(last_line_, c.span.end_line);
  }

  // One blank line where the source had at least one, except at a block's start.
  void gap(uint32_t line) {
    if (!block_start_ && line > last_line_ + 1) out_ += "\n";
    block_start_ = false;
  }

  void put(const std::string& text) {
    out_.append(indent_width(), ' ');  // continuation lines of `text` carry their own
    out_ += text;
    out_ += '\n';
  }

  void node_done(uint32_t end_line) {
    last_line_ = std::max(last_line_, end_line);
    trailing_line_ = end_line;
    trailing_ok_ = true;
  }

  CommentIt next_, end_;
  std::string out_;
  int indent_ = 0;
  bool block_start_ = true;   // nothing printed yet in the current block
  uint32_t last_line_ = 0;    // last source line printed so far
  uint32_t trailing_line_ = 0;
  bool trailing_ok_ = false;  // the last output line is a node that may take a trailing comment
};

bool is_block_or_condition(Clause::Kind k) {
  using K = Clause::Kind;
  return k == K::Accepts || k == K::Fees || k == K::Refunds || k == K::Captures || k == K::Chargebacks ||
         k == K::RoutingStatement || k == K::When ||
         k == K::Given || k == K::Expect || k == K::BindingRule;
}

// "header {}" for an empty block with no comment inside, else header and body.
// `header` ends with the opening brace.
void write_cash_flow(Writer& w, const Span& node, const std::string& header, const CashFlow& cf) {
  uint32_t brace = cf.span.end_offset > 0 ? cf.span.end_offset - 1 : 0;
  w.comments_before(node.offset);  // so that only comments inside count below
  if (cf.postings.empty() && cf.arms.empty() && !w.comment_before(brace)) {
    w.line(node, header + "}");
    return;
  }
  w.open(node, header, cf.span.line);
  for (const Posting& p : cf.postings) w.line(p.span, format_posting(p));
  for (const DecisionArm& arm : cf.arms) {
    write_cash_flow(w, arm.span, format_arm_header(arm, w.indent_width()), arm.body);
  }
  w.close(brace, node.end_line);
}

// OperationTerms records no positions for `allowed` and `partial`, so they are
// found in the source text: inside the terms' braces only these words,
// booleans, `fees { ... }` (at a deeper brace level), strings and comments occur.
class SourceText {
 public:
  explicit SourceText(const std::string* text) : text_(text) {}

  struct TermsItems {
    std::optional<Span> allowed, partial, within;
  };

  TermsItems terms_items(const Span& clause) {
    TermsItems items;
    size_t pos = byte_at(clause.line, clause.column);
    if (!text_ || pos == std::string::npos) return items;
    const std::string& t = *text_;
    uint32_t cp = clause.offset;  // spans count code points, not bytes
    uint32_t line = clause.line;
    int depth = 0;
    auto advance = [&] {
      if (t[pos] == '\n') ++line;
      ++pos;
      while (pos < t.size() && (static_cast<unsigned char>(t[pos]) & 0xC0) == 0x80) ++pos;
      ++cp;
    };
    while (pos < t.size() && cp < clause.end_offset) {
      char ch = t[pos];
      if (ch == '#') {
        while (pos < t.size() && t[pos] != '\n') advance();
      } else if (ch == '"') {
        advance();
        while (pos < t.size() && t[pos] != '"' && t[pos] != '\n') {
          if (t[pos] == '\\') advance();
          if (pos < t.size()) advance();
        }
        if (pos < t.size()) advance();
      } else if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '_') {
        Span word{clause.file, line, 0, cp, cp, line};
        std::string w;
        while (pos < t.size() && (std::isalnum(static_cast<unsigned char>(t[pos])) || t[pos] == '_')) {
          w += t[pos];
          advance();
        }
        word.end_offset = cp;
        if (depth == 1 && w == "allowed") items.allowed = word;
        if (depth == 1 && w == "partial") items.partial = word;
        if (depth == 1 && w == "within") items.within = word;
      } else {
        depth += ch == '{' ? 1 : ch == '}' ? -1 : 0;
        advance();
      }
    }
    return items;
  }

 private:
  // Byte offset of (line, column), 1-based, the column counted in code points.
  size_t byte_at(uint32_t line, uint32_t column) {
    if (!text_ || line == 0 || column == 0) return std::string::npos;
    if (starts_.empty()) {
      starts_.push_back(0);
      for (size_t i = 0; i < text_->size(); ++i) {
        if ((*text_)[i] == '\n') starts_.push_back(i + 1);
      }
    }
    if (line > starts_.size()) return std::string::npos;
    size_t pos = starts_[line - 1];
    for (uint32_t c = 1; c < column && pos < text_->size(); ++c) {
      ++pos;
      while (pos < text_->size() && (static_cast<unsigned char>((*text_)[pos]) & 0xC0) == 0x80) ++pos;
    }
    return pos;
  }

  const std::string* text_;
  std::vector<size_t> starts_;  // byte offset of each line, built on first use
};

// `refunds { ... }`, `captures { ... }`, `chargebacks { ... }`: items in one canonical order.
void write_terms(Writer& w, const Clause& c, const OperationTerms& r, SourceText& source) {
  const std::string keyword(to_string(c.kind));
  uint32_t brace = r.span.end_offset > 0 ? r.span.end_offset - 1 : 0;
  w.comments_before(c.span.offset);
  if (!r.allowed && !r.partial && !r.within && !r.fees && !r.reserve && !w.comment_before(brace)) {
    w.line(c.span, keyword + " {}");
    return;
  }
  w.open(c.span, keyword + " {", c.span.line);
  // Positions are only needed to place comments; without any inside, skip the scan.
  SourceText::TermsItems at;
  if ((r.allowed || r.partial || r.within) && w.comment_before(brace)) at = source.terms_items(c.span);
  if ((r.allowed && !at.allowed) || (r.partial && !at.partial) || (r.within && !at.within)) {
    // Not found (no source text): comments ahead of `fees` go first, which
    // keeps their order and is stable.
    at = {};
    w.trailing();
    w.comments_before(r.fees ? r.fees->span.offset : r.reserve ? r.reserve->span.offset : brace);
  }
  auto item = [&w](const std::optional<Span>& span, const char* key, bool value) {
    std::string text = std::string(key) + (value ? " true" : " false");
    if (span) {
      w.line(*span, text);
    } else {
      w.plain(text);
    }
  };
  if (r.allowed) item(at.allowed, "allowed", *r.allowed);
  if (r.partial) item(at.partial, "partial", *r.partial);
  if (r.within) {
    std::string text = "within " + std::to_string(r.within->count) + " " + r.within->unit.text;
    if (at.within) {
      w.line(*at.within, text);
    } else {
      w.plain(text);
    }
  }
  if (r.fees) write_cash_flow(w, r.fees->span, "fees {", *r.fees);
  if (r.reserve) write_cash_flow(w, r.reserve->span, "reserve {", *r.reserve);
  w.close(brace, c.span.end_line);
}

void write_clause(Writer& w, const Clause& c, SourceText& source) {
  uint32_t brace = c.span.end_offset > 0 ? c.span.end_offset - 1 : 0;
  switch (c.kind) {
    case Clause::Kind::Fees:
      if (c.cash_flow) return write_cash_flow(w, c.span, "fees {", *c.cash_flow);
      break;
    case Clause::Kind::Refunds:
    case Clause::Kind::Captures:
    case Clause::Kind::Chargebacks:
      if (const auto& terms = *c.terms()) return write_terms(w, c, *terms, source);
      break;
    case Clause::Kind::Given:
      w.comments_before(c.span.offset);
      if (c.given.empty() && !w.comment_before(brace)) return w.line(c.span, "given {}");
      w.open(c.span, "given {", c.span.line);
      for (const GivenEntry& g : c.given) w.line(g.span, format_given_entry(g));
      return w.close(brace, c.span.end_line);
    default:
      break;
  }
  w.line(c.span, format_clause_lines(c, w.indent_width()));
}

// Short objects (reference data, terminals, ...) stay on one line: at most
// kMaxOneLineClauses clauses, none a block or a condition, no comment inside,
// and the line fits kFormatWidth. Empty string when the rule says no.
std::string one_line(const Object& o, const Writer& w) {
  if (o.clauses.size() > kMaxOneLineClauses || w.comment_before(o.span.end_offset)) return "";
  std::string text = object_header(o) + " {";
  for (size_t i = 0; i < o.clauses.size(); ++i) {
    if (is_block_or_condition(o.clauses[i].kind)) return "";
    text += (i ? "  " : " ") + format_clause_line(o.clauses[i]);
  }
  text += o.clauses.empty() ? "}" : " }";
  return text.size() <= kFormatWidth ? text : "";
}

// Writes one object; the writer holds exactly the comments the object owns.
// `*single` tells whether the object itself went on one line.
std::string write_object(const Object& o, CommentIt begin, CommentIt end, SourceText& source, bool* single) {
  Writer w(begin, end);
  w.comments_before(o.span.offset);  // leading comments, so one_line() sees only inner ones
  std::string text = one_line(o, w);
  *single = !text.empty();
  if (*single) {
    w.line(o.span, text);
  } else {
    w.open(o.span, object_header(o) + " {", o.span.line);
    for (const Clause& c : o.clauses) write_clause(w, c, source);
    w.close(o.span.end_offset > 0 ? o.span.end_offset - 1 : 0, o.span.end_line);
  }
  w.rest();  // its trailing comment and, for the last object of a file, the file's last comments
  return w.take();
}

bool comment_less(const Comment& c, std::pair<uint32_t, uint32_t> at) {
  return c.span.file != at.first ? c.span.file < at.first : c.span.offset < at.second;
}

CommentIt comments_from(const Domain& d, uint32_t file, uint32_t offset) {
  return std::lower_bound(d.comments.begin(), d.comments.end(), std::make_pair(file, offset), comment_less);
}

CommentIt file_end(const Domain& d, uint32_t file) {
  return std::lower_bound(d.comments.begin(), d.comments.end(), std::make_pair(file + 1, uint32_t{0}),
                          comment_less);
}

// The first comment owned by objs[k]: comments after objs[k-1] except that
// object's trailing comment (same line as its closing brace, before objs[k]).
CommentIt first_owned(const Domain& d, const std::vector<const Object*>& objs, size_t k) {
  uint32_t file = objs[k]->span.file;
  if (k == 0) return comments_from(d, file, 0);
  const Object& prev = *objs[k - 1];
  CommentIt it = comments_from(d, file, prev.span.end_offset);
  CommentIt end = file_end(d, file);
  while (it != end && it->span.line == prev.span.end_line && it->span.offset < objs[k]->span.offset) ++it;
  return it;
}

std::string format_in_file(const Domain& d, const std::vector<const Object*>& objs, size_t k,
                           SourceText& source, bool* single) {
  uint32_t file = objs[k]->span.file;
  CommentIt end = k + 1 < objs.size() ? first_owned(d, objs, k + 1) : file_end(d, file);
  return write_object(*objs[k], first_owned(d, objs, k), end, source, single);
}

// The source line where objs[k]'s text begins: its first leading comment, or itself.
uint32_t text_start_line(const Domain& d, const std::vector<const Object*>& objs, size_t k) {
  CommentIt first = first_owned(d, objs, k);
  bool leading = first != file_end(d, objs[k]->span.file) && first->span.offset < objs[k]->span.offset;
  return leading ? first->span.line : objs[k]->span.line;
}

SourceText source_of(const Domain& d, uint32_t file) {
  return SourceText(file < d.files.size() ? &d.files[file].text : nullptr);
}

std::vector<const Object*> objects_of_file(const Domain& d, uint32_t file) {
  std::vector<const Object*> objs;
  for (const Object& o : d.objects) {
    if (o.span.file == file) objs.push_back(&o);
  }
  return objs;
}

}  // namespace

paydomain::Result<std::string, std::vector<Diagnostic>> format_source(const SourceFile& file) {
  Diagnostics diags;
  Domain domain = parse({file}, diags);
  if (diags.has_errors()) {
    diags.sort();
    return std::move(diags.items());
  }
  return format_file(domain, 0);
}

std::string format_file(const Domain& domain, uint32_t file_index) {
  std::vector<const Object*> objs = objects_of_file(domain, file_index);
  if (objs.empty()) {  // a file of comments only
    Writer w(comments_from(domain, file_index, 0), file_end(domain, file_index));
    w.rest();
    return w.take();
  }
  SourceText source = source_of(domain, file_index);
  std::string out;
  bool prev_single = false;
  for (size_t k = 0; k < objs.size(); ++k) {
    bool single = false;
    std::string text = format_in_file(domain, objs, k, source, &single);
    // One blank line between objects, except that one-line objects written on
    // adjacent lines stay together, like rows of a table of currencies.
    bool together = prev_single && single && text_start_line(domain, objs, k) <= objs[k - 1]->span.end_line + 1;
    if (k && !together) out += '\n';
    out += text;
    prev_single = single;
  }
  return out;
}

std::string format_object(const Domain& domain, const Object& object) {
  std::vector<const Object*> objs = objects_of_file(domain, object.span.file);
  SourceText source = source_of(domain, object.span.file);
  for (size_t k = 0; k < objs.size(); ++k) {
    const Object& o = *objs[k];
    bool same = &o == &object || (o.kind == object.kind && o.id.text == object.id.text &&
                                  o.span.offset == object.span.offset && o.span.end_offset == object.span.end_offset);
    bool single = false;
    if (same) return format_in_file(domain, objs, k, source, &single);
  }
  SourceText none(nullptr);
  bool single = false;
  return write_object(object, domain.comments.end(), domain.comments.end(), none, &single);
}

}  // namespace paydomain::dsl
