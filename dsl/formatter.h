// The canonical formatter: AST -> the one canonical spelling of a domain.
//
// Contract (tested on every example and on a generated domain):
//   * fmt(fmt(x)) == fmt(x)                 (idempotent)
//   * parse(fmt(x)) means the same domain as x: dump_semantic() is equal
//   * every comment of x is kept, in the same order, next to the node it was
//     written by (own-line comments before it, a trailing comment after it).
// The layout rules are in docs/formatting.md. Formatting needs only the parsed
// AST (no checker pass) and never fails: any parsed domain can be printed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "dsl/ast.h"
#include "dsl/diagnostics.h"

namespace paydomain::dsl {

// ---- whole files and objects ------------------------------------------------

// The canonical text of source file `file_index`: its objects in source order,
// one blank line between them, every comment of the file kept. "" for a file
// with neither objects nor comments; otherwise ends with exactly one newline.
std::string format_file(const Domain& domain, uint32_t file_index);

// The canonical text of one object with the comments that belong to it: the
// comments after the previous object of its file (minus that object's
// trailing comment), the ones inside it, its trailing comment, and, for the
// last object of a file, the comments after it. format_file() is these texts
// joined by blank lines, so the store can keep one self-contained text per
// object. `object` must be an element of domain.objects (or equal to one by
// kind, id and span); otherwise it is printed without comments.
std::string format_object(const Domain& domain, const Object& object);

// What `paydomain fmt` writes for one source file, parsed on its own (no
// checker pass): its canonical text, or its syntax errors (sorted; the file
// is then not formatted). The CLI and the server's POST /v1/format both call
// this, so they cannot disagree.
paydomain::Result<std::string, std::vector<Diagnostic>> format_source(const SourceFile& file);

// ---- one-line text of nodes (no comments), also used by explanations --------

std::string quote_string(std::string_view text);  // "a\"b" with \" \\ \n \t escapes
std::string format_value(const Value& value);      // 1500.00 RUB, 1.2%, [a, b], "x"
std::string format_money(const MoneyLiteral& money);
// Minimal parentheses: `or` binds loosest, then `and`, then `not`.
std::string format_condition(const Condition& condition);
std::string format_volume(const Volume& volume);    // max(1.2% of amount, 15.00 RUB)
// merchant.settlement -> system.settlement : 1% of amount round half_even "details"
std::string format_posting(const Posting& posting);
std::string format_routing_statement(const RoutingStatement& statement);
std::string format_given_entry(const GivenEntry& entry);
std::string format_expectation(const Expectation& expectation);  // without "expect"
// A clause on one line. Block clauses (fees, refunds, given) give only their
// keyword; the formatter lays their bodies out on their own lines.
std::string format_clause_line(const Clause& clause);
std::string object_header(const Object& object);  // `tariff standard`, `tariff premium extends standard`, `test "title"`

// ---- layout over lines ----------------------------------------------------------

// Lines longer than this are broken where the format allows: a condition
// before its top-level `or`s (then `and`s), a clause's list between items.
inline constexpr size_t kFormatWidth = 100;
// A clause as laid out at `indent` columns: format_clause_line() when that
// fits, else several lines joined by '\n', continuation lines carrying their
// own indentation (the first line carries none).
std::string format_clause_lines(const Clause& clause, size_t indent);
// `when CONDITION {` (wrapped like a clause) or `otherwise {`.
std::string format_arm_header(const DecisionArm& arm, size_t indent);

// ---- comparing meaning --------------------------------------------------------

// A span-free dump of everything an object means, written independently of
// the printer above so tests can catch the printer dropping a field. Two
// objects mean the same when their dumps are equal. Normalised: nested
// and/or/sum are flattened (associativity), candidate priority and weight are
// their effective values whether written or defaulted. Comments are not meaning.
std::string dump_semantic(const Object& object);
// All objects of a domain, one dump per line, in domain order.
std::string dump_semantic(const Domain& domain);

// An object's parts as (path, canonical one-line text), in source order, for
// "what changed inside this object". Paths name the place, e.g.
//   ("name", "name \"Standard\""),
//   ("fees/when 1", "when payment_system in [maestro, mastercard]"),
//   ("fees/when 1/posting 1", "merchant.settlement -> system.settlement : 1% of amount"),
//   ("fees/otherwise/posting 1", ...), ("refunds/allowed", "allowed true"),
//   ("rule 2", "candidate yb_3ds priority 1000 when risk == low"),
//   ("given/amount", "amount 6000.00 RUB"), ("expect 1", "expect route yb_3ds").
// Repeatable clauses (option, amount between, routing rules, expect) are
// numbered from 1; an account is named by role and currency ("account
// system.settlement RUB"); a repeated path gets " #2", " #3" appended.
// `domain` is unused today; it is there so paths may later use resolved names.
std::vector<std::pair<std::string, std::string>> object_parts(const Domain& domain,
                                                              const Object& object);

}  // namespace paydomain::dsl
