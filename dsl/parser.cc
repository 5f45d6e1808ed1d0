// Source text -> AST: lexes a file, runs the ANTLR-generated parser (fast
// SLL first, full LL with error recovery when that fails) and builds the AST
// from the parse tree. ANTLR types stay in dsl/: the AST is the only thing
// other layers see. Syntax errors are worded in syntax_errors.cc; files are
// read from disk in sources.cc.
#include "dsl/parser.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <shared_mutex>

#include "PayDomainLexer.h"
#include "PayDomainParser.h"
#include "antlr4-runtime.h"
#include "dsl/lexer.h"
#include "dsl/parse_cache.h"
#include "dsl/schema.h"
#include "dsl/syntax_errors.h"
#include "dsl/utf8.h"

namespace paydomain::dsl {
namespace {

using G = grammar::PayDomainParser;
using grammar::PayDomainLexer;

// Builds AST nodes from parse-tree contexts of one file.
class Builder {
 public:
  Builder(uint32_t file, Diagnostics& diags, const std::string& source)
      : file_(file), diags_(diags), source_(source),
        ascii_(std::all_of(source.begin(), source.end(), [](char c) { return (c & 0x80) == 0; })) {}

  // A token's text. ANTLR's Token::getText converts UTF-32 back to UTF-8
  // through a fresh std::wstring_convert per call, which dominated parse
  // time; for ASCII files (the usual case) character offsets are byte
  // offsets, so the text is a plain substring of the source.
  std::string text(antlr4::Token* t) const {
    if (ascii_ && t->getStopIndex() >= t->getStartIndex()) {
      return source_.substr(t->getStartIndex(), t->getStopIndex() - t->getStartIndex() + 1);
    }
    return t->getText();
  }
  std::string text(antlr4::tree::TerminalNode* n) const { return text(n->getSymbol()); }

  Span span(antlr4::ParserRuleContext* ctx) const {
    return span(ctx->getStart(), ctx->getStop() ? ctx->getStop() : ctx->getStart());
  }
  Span span(antlr4::Token* a, antlr4::Token* b) const {
    Span s;
    s.file = file_;
    s.line = static_cast<uint32_t>(a->getLine());
    s.column = static_cast<uint32_t>(a->getCharPositionInLine() + 1);
    s.offset = static_cast<uint32_t>(a->getStartIndex());
    s.end_offset = static_cast<uint32_t>(b->getStopIndex() + 1);
    s.end_line = static_cast<uint32_t>(b->getLine());
    return s;
  }
  Span span(antlr4::tree::TerminalNode* n) const { return span(n->getSymbol(), n->getSymbol()); }

  // An ident is one token; RuleContext::getText would rebuild it from children.
  Ident ident(G::IdentContext* ctx) const { return Ident{text(ctx->getStart()), span(ctx)}; }

  Decimal decimal(antlr4::Token* tok) {
    std::string digits_text = text(tok);
    if (!digits_text.empty() && digits_text.back() == '%') digits_text.pop_back();
    Decimal d;
    int digits = 0;
    bool after_dot = false;
    for (char c : digits_text) {
      if (c == '.') {
        after_dot = true;
        continue;
      }
      if (++digits > 18) {
        diags_.error(span(tok, tok), "number-too-long", "number '" + digits_text + "' has more than 18 digits");
        return Decimal{};
      }
      d.units = d.units * 10 + (c - '0');
      if (after_dot) ++d.scale;
    }
    return d;
  }

  int64_t integer(antlr4::Token* tok) {
    Decimal d = decimal(tok);
    if (d.scale != 0) {
      diags_.error(span(tok, tok), "not-integer", "expected a whole number, found '" + text(tok) + "'");
    }
    return d.units;
  }

  static std::string unquote(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) {
        char n = s[++i];
        out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  MoneyLiteral money(G::MoneyContext* ctx) {
    MoneyLiteral m;
    m.value = decimal(ctx->NUMBER()->getSymbol());
    m.currency = Ident{text(ctx->CODE()), span(ctx->CODE())};
    m.span = span(ctx);
    return m;
  }

  // Alternatives are told apart by their first token (cheap) rather than by
  // dynamic_cast chains, which dominated parse time.
  static size_t first(antlr4::ParserRuleContext* ctx) { return ctx->getStart()->getType(); }

  // The rule contexts among ctx's children at `from`, `from + step`, ...,
  // stopping `tail` children before the end. The generated accessors find
  // children by dynamic_cast; where the grammar fixes the positions (only
  // clean parses are built) plain indexing is exact and much cheaper.
  template <class T>
  static std::vector<T*> at_positions(antlr4::ParserRuleContext* ctx, size_t from, size_t step, size_t tail = 0) {
    std::vector<T*> out;
    const auto& ch = ctx->children;
    for (size_t i = from; i + tail < ch.size(); i += step) out.push_back(static_cast<T*>(ch[i]));
    return out;
  }
  static size_t last(antlr4::ParserRuleContext* ctx) { return ctx->getStop()->getType(); }

  Value value(G::ValueContext* ctx) {
    Value v;
    v.span = span(ctx);
    switch (first(ctx)) {
      case PayDomainLexer::NUMBER:
        if (last(ctx) == PayDomainLexer::CODE) {
          v.kind = Value::Kind::Money;
          MoneyLiteral m = money(static_cast<G::MoneyValueContext*>(ctx)->money());
          v.number = m.value;
          v.text = m.currency.text;
        } else {
          v.kind = Value::Kind::Number;
          v.number = decimal(ctx->getStart());
        }
        break;
      case PayDomainLexer::PERCENT:
        v.kind = Value::Kind::Percent;
        v.number = decimal(ctx->getStart());
        break;
      case PayDomainLexer::STRING:
        v.kind = Value::Kind::String;
        v.text = unquote(text(ctx->getStart()));
        break;
      case PayDomainLexer::TIME:
        v.kind = Value::Kind::Time;
        v.text = text(ctx->getStart());
        break;
      case PayDomainLexer::LBRACK:
        v = list(static_cast<G::ListValueContext*>(ctx)->list());
        break;
      default:
        v.kind = Value::Kind::Ident;
        v.text = text(ctx->getStart());
        break;
    }
    return v;
  }

  Value list(G::ListContext* ctx) {
    Value v;
    v.kind = Value::Kind::List;
    v.span = span(ctx);
    // '[' value (',' value)* ']'
    for (auto* item : at_positions<G::ValueContext>(ctx, 1, 2, 1)) v.items.push_back(value(item));
    return v;
  }

  Condition condition(G::ConditionContext* ctx) {
    auto ands = at_positions<G::AndConditionContext>(ctx, 0, 2);  // a (or a)*
    if (ands.size() == 1) return and_condition(ands[0]);
    Condition c;
    c.kind = Condition::Kind::Or;
    c.span = span(ctx);
    for (auto* a : ands) c.children.push_back(and_condition(a));
    return c;
  }

  Condition and_condition(G::AndConditionContext* ctx) {
    auto nots = at_positions<G::NotConditionContext>(ctx, 0, 2);  // n (and n)*
    if (nots.size() == 1) return not_condition(nots[0]);
    Condition c;
    c.kind = Condition::Kind::And;
    c.span = span(ctx);
    for (auto* n : nots) c.children.push_back(not_condition(n));
    return c;
  }

  Condition not_condition(G::NotConditionContext* ctx) {
    if (first(ctx) == PayDomainLexer::NOT) {
      Condition c;
      c.kind = Condition::Kind::Not;
      c.span = span(ctx);
      c.children.push_back(not_condition(static_cast<G::NegationContext*>(ctx)->notCondition()));
      return c;
    }
    if (first(ctx) == PayDomainLexer::LPAREN) {
      return condition(static_cast<G::ParenConditionContext*>(ctx)->condition());
    }
    if (auto* x = dynamic_cast<G::CriterionConditionContext*>(ctx)) {
      Condition c;
      c.kind = Condition::Kind::Criterion;
      c.span = span(ctx);
      c.attribute = ident(x->ident());
      return c;
    }
    return comparison(static_cast<G::ComparisonConditionContext*>(ctx)->comparison());
  }

  // The attribute's name (`health.latency_ms`) and its time zone, if written.
  void attribute(Condition& c, G::AttributeContext* ctx) {
    std::vector<G::IdentContext*> ids = ctx->ident();
    std::string name = text(ids.front()->getStart());
    if (ids.size() > 1) name += "." + text(ids.back()->getStart());
    c.attribute = Ident{std::move(name), span(ids.front()->getStart(), ids.back()->getStop())};
    if (ctx->zone) {
      Value z;
      z.kind = Value::Kind::String;
      z.span = span(ctx->zone, ctx->zone);
      z.text = unquote(text(ctx->zone));
      c.zone = std::move(z);
    }
  }

  Condition comparison(G::ComparisonContext* ctx) {
    Condition c;
    c.kind = Condition::Kind::Compare;
    c.span = span(ctx);
    if (auto* x = dynamic_cast<G::CompareOpContext*>(ctx)) {
      attribute(c, x->attribute());
      switch (x->op->getType()) {
        case PayDomainLexer::EQ: c.op = CompareOp::Eq; break;
        case PayDomainLexer::NE: c.op = CompareOp::Ne; break;
        case PayDomainLexer::LT: c.op = CompareOp::Lt; break;
        case PayDomainLexer::LE: c.op = CompareOp::Le; break;
        case PayDomainLexer::GT: c.op = CompareOp::Gt; break;
        default: c.op = CompareOp::Ge; break;
      }
      c.operands.push_back(value(x->value()));
    } else if (auto* x = dynamic_cast<G::CompareInContext*>(ctx)) {
      attribute(c, x->attribute());
      c.op = x->NOT() ? CompareOp::NotIn : CompareOp::In;
      c.operands.push_back(list(x->list()));
    } else if (auto* x = dynamic_cast<G::CompareIsContext*>(ctx)) {
      attribute(c, x->attribute());
      c.op = x->NOT() ? CompareOp::IsNot : CompareOp::Is;
      c.operands.push_back(value(x->value()));
    } else if (auto* x = dynamic_cast<G::CompareBetweenContext*>(ctx)) {
      attribute(c, x->attribute());
      c.op = CompareOp::Between;
      c.operands.push_back(value(x->low));
      c.operands.push_back(value(x->high));
    } else if (auto* x = dynamic_cast<G::CompareStartsWithContext*>(ctx)) {
      attribute(c, x->attribute());
      c.op = CompareOp::StartsWith;
      c.operands.push_back(value(x->value()));
    }
    return c;
  }

  Volume volume(G::VolumeContext* ctx) {
    auto terms = at_positions<G::VolumeTermContext>(ctx, 0, 2);  // t ('+' t)*
    if (terms.size() == 1) return volume_term(terms[0]);
    Volume v;
    v.kind = Volume::Kind::Sum;
    v.span = span(ctx);
    for (auto* t : terms) v.args.push_back(volume_term(t));
    return v;
  }

  Volume volume_term(G::VolumeTermContext* ctx) {
    Volume v;
    v.span = span(ctx);
    switch (first(ctx)) {
      case PayDomainLexer::NUMBER:
        if (last(ctx) == PayDomainLexer::CODE) {
          v.kind = Volume::Kind::Fixed;
          v.fixed = money(static_cast<G::FixedVolumeContext*>(ctx)->money());
        } else {
          auto* x = static_cast<G::FractionVolumeContext*>(ctx);
          v.kind = Volume::Kind::Fraction;
          v.numerator = integer(x->num);
          v.denominator = integer(x->den);
        }
        break;
      case PayDomainLexer::PERCENT:
        v.kind = Volume::Kind::Percent;
        v.percent = decimal(ctx->getStart());
        break;
      case PayDomainLexer::AMOUNT:
        v.kind = Volume::Kind::WholeAmount;
        break;
      case PayDomainLexer::MIN:
      case PayDomainLexer::MAX: {
        auto* x = static_cast<G::MinMaxVolumeContext*>(ctx);
        v.kind = first(ctx) == PayDomainLexer::MIN ? Volume::Kind::Min : Volume::Kind::Max;
        for (auto* a : x->volume()) v.args.push_back(volume(a));
        break;
      }
      default:  // LPAREN
        return volume(static_cast<G::ParenVolumeContext*>(ctx)->volume());
    }
    return v;
  }

  Account account(G::AccountContext* ctx) {
    return Account{ident(ctx->owner), ident(ctx->name), span(ctx)};
  }

  Posting posting(G::PostingContext* ctx) {
    Posting p;
    p.span = span(ctx);
    p.from = account(ctx->from);
    p.to = account(ctx->to);
    p.volume = volume(ctx->volume());
    if (ctx->rounding) {
      // An unknown mode stays unset here; the checker reports it, so one typo
      // does not hide the rest of the domain's problems.
      p.rounding_name = ident(ctx->rounding);
      p.rounding = rounding_from_string(p.rounding_name.text);
    }
    if (ctx->details) p.details = unquote(text(ctx->details));
    return p;
  }

  CashFlow cash_flow(G::CashFlowBodyContext* ctx, Span braces) {
    CashFlow cf;
    cf.span = braces;
    // cashFlowBody has only rule children: posting* whenArm* otherwiseArm?
    for (antlr4::tree::ParseTree* child : ctx->children) {
      auto* rule = static_cast<antlr4::ParserRuleContext*>(child);
      switch (rule->getRuleIndex()) {
        case G::RulePosting:
          cf.postings.push_back(posting(static_cast<G::PostingContext*>(rule)));
          break;
        case G::RuleWhenArm: {
          auto* w = static_cast<G::WhenArmContext*>(rule);
          DecisionArm arm;
          arm.span = span(w);
          arm.condition = condition(w->condition());
          arm.body = cash_flow(w->cashFlowBody(), span(w->LBRACE()->getSymbol(), w->RBRACE()->getSymbol()));
          cf.arms.push_back(std::move(arm));
          break;
        }
        case G::RuleOtherwiseArm: {
          auto* o = static_cast<G::OtherwiseArmContext*>(rule);
          DecisionArm arm;
          arm.span = span(o);
          arm.otherwise = true;
          arm.body = cash_flow(o->cashFlowBody(), span(o->LBRACE()->getSymbol(), o->RBRACE()->getSymbol()));
          cf.arms.push_back(std::move(arm));
          break;
        }
        default:
          break;
      }
    }
    return cf;
  }

  OperationTerms operation_terms(antlr4::ParserRuleContext* block, const std::vector<G::TermsItemContext*>& items) {
    OperationTerms r;
    r.span = span(block);
    for (auto* item : items) {
      if (auto* a = dynamic_cast<G::TermsAllowedContext*>(item)) {
        r.allowed = a->boolean()->TRUE() != nullptr;
      } else if (auto* p = dynamic_cast<G::TermsPartialContext*>(item)) {
        r.partial = p->boolean()->TRUE() != nullptr;
      } else if (auto* f = dynamic_cast<G::TermsFeesContext*>(item)) {
        r.fees = cash_flow_block(f->cashFlowBlock());
      } else if (auto* w = dynamic_cast<G::TermsWithinContext*>(item)) {
        r.within = Duration{integer(w->NUMBER()->getSymbol()), ident(w->unit), span(w)};
      } else if (auto* v = dynamic_cast<G::TermsReserveContext*>(item)) {
        r.reserve = cash_flow_block(v->cashFlowBlock());
      }
    }
    return r;
  }

  CashFlow cash_flow_block(G::CashFlowBlockContext* ctx) {
    return cash_flow(ctx->cashFlowBody(), span(ctx));
  }

  RoutingStatement routing_statement(G::RoutingStatementContext* ctx) {
    RoutingStatement r;
    r.span = span(ctx);
    if (auto* x = dynamic_cast<G::RouteDeclineContext*>(ctx)) {
      r.kind = RoutingStatement::Kind::Decline;
      r.condition = condition(x->condition());
      if (x->STRING()) r.reason = unquote(text(x->STRING()));
    } else if (auto* x = dynamic_cast<G::RouteDelegateContext*>(ctx)) {
      r.kind = RoutingStatement::Kind::Delegate;
      if (x->condition()) r.condition = condition(x->condition());
      r.target = ident(x->ident());
    } else if (auto* x = dynamic_cast<G::RouteCandidateContext*>(ctx)) {
      r.kind = RoutingStatement::Kind::Candidate;
      r.target = ident(x->ident());
      if (x->prio) {
        r.priority = integer(x->prio);
        r.has_priority = true;
      }
      if (x->wt) {
        r.weight = integer(x->wt);
        r.has_weight = true;
      }
      if (x->condition()) r.condition = condition(x->condition());
    } else if (auto* x = dynamic_cast<G::RouteExcludeContext*>(ctx)) {
      r.kind = RoutingStatement::Kind::Exclude;
      r.condition = condition(x->condition());
    }
    return r;
  }

  GivenEntry given_entry(G::GivenEntryContext* ctx) {
    GivenEntry g;
    g.span = span(ctx);
    if (auto* x = dynamic_cast<G::GivenHealthContext*>(ctx)) {
      g.kind = GivenEntry::Kind::Health;
      g.key = ident(x->target);
      g.metric = ident(x->metric);
      g.value = value(x->value());
    } else if (auto* x = dynamic_cast<G::GivenTurnoverContext*>(ctx)) {
      g.kind = GivenEntry::Kind::Turnover;
      g.key = ident(x->target);
      if (x->at) g.metric = ident(x->at);
      g.value = value(x->value());
    } else if (auto* x = dynamic_cast<G::GivenFieldContext*>(ctx)) {
      g.kind = GivenEntry::Kind::Field;
      g.key = ident(x->key);
      g.value = value(x->value());
    }
    return g;
  }

  Expectation expectation(G::ExpectationContext* ctx) {
    Expectation e;
    e.span = span(ctx);
    using K = Expectation::Kind;
    if (auto* x = dynamic_cast<G::ExpectPostingContext*>(ctx)) {
      e.kind = K::Posting;
      e.from = account(x->from);
      e.to = account(x->to);
      e.amount = money(x->money());
    } else if (dynamic_cast<G::ExpectNoRouteContext*>(ctx)) {
      e.kind = K::NoRoute;
    } else if (auto* x = dynamic_cast<G::ExpectRouteInContext*>(ctx)) {
      e.kind = K::RouteIn;
      e.targets = list(x->list());
    } else if (auto* x = dynamic_cast<G::ExpectRouteContext*>(ctx)) {
      e.kind = K::Route;
      e.target = ident(x->ident());
    } else if (auto* x = dynamic_cast<G::ExpectDeclineContext*>(ctx)) {
      e.kind = K::Decline;
      if (x->STRING()) e.reason = unquote(text(x->STRING()));
    } else if (dynamic_cast<G::ExpectAllowedContext*>(ctx)) {
      e.kind = K::Allowed;
    } else if (dynamic_cast<G::ExpectForbiddenContext*>(ctx)) {
      e.kind = K::Forbidden;
    } else if (auto* x = dynamic_cast<G::ExpectLimitContext*>(ctx)) {
      e.kind = x->state->getType() == PayDomainLexer::APPLIES ? K::LimitApplies : K::LimitExceeded;
      e.target = ident(x->ident());
    } else if (auto* x = dynamic_cast<G::ExpectLimitNotContext*>(ctx)) {
      e.kind = K::LimitNotApplies;
      e.target = ident(x->ident());
    } else if (dynamic_cast<G::ExpectUndeterminedContext*>(ctx)) {
      e.kind = K::Undetermined;
    } else if (auto* x = dynamic_cast<G::ExpectTariffContext*>(ctx)) {
      e.kind = K::Tariff;
      e.target = ident(x->ident());
    } else if (auto* x = dynamic_cast<G::ExpectAccountContext*>(ctx)) {
      e.kind = K::Account;
      e.from = account(x->account());
      e.account = x->STRING() ? unquote(text(x->STRING())) : text(x->NUMBER());
    }
    return e;
  }

  BindingRule binding_rule(G::BindingRuleContext* ctx) {
    BindingRule b;
    b.span = span(ctx);
    b.otherwise = ctx->OTHERWISE() != nullptr;
    if (ctx->condition()) b.condition = condition(ctx->condition());
    b.tariff = ident(ctx->ident());
    return b;
  }

  template <class T>
  static T* as(G::ClauseContext* ctx, size_t token) {
    return first(ctx) == token ? static_cast<T*>(ctx) : nullptr;
  }
  // For alternatives that share a first token.
  template <class T>
  static T* as_dyn(G::ClauseContext* ctx, size_t token) {
    return first(ctx) == token ? dynamic_cast<T*>(ctx) : nullptr;
  }
  static G::RoutingStatementClauseContext* as_routing(G::ClauseContext* ctx) {
    size_t t = first(ctx);
    if (t != PayDomainLexer::WHEN && t != PayDomainLexer::USE && t != PayDomainLexer::CANDIDATE &&
        t != PayDomainLexer::EXCLUDE) {
      return nullptr;
    }
    return dynamic_cast<G::RoutingStatementClauseContext*>(ctx);
  }

  Clause clause(G::ClauseContext* ctx) {
    Clause c;
    c.span = span(ctx);
    using K = Clause::Kind;
    if (auto* x = as<G::NameClauseContext>(ctx, PayDomainLexer::NAME)) {
      c.kind = K::Name;
      c.text = unquote(text(x->STRING()));
    } else if (auto* x = as<G::DescriptionClauseContext>(ctx, PayDomainLexer::DESCRIPTION)) {
      c.kind = K::Description;
      c.text = unquote(text(x->STRING()));
    } else if (auto* x = as<G::NumericClauseContext>(ctx, PayDomainLexer::NUMERIC)) {
      c.kind = K::Numeric;
      c.number = Decimal{integer(x->NUMBER()->getSymbol()), 0};
    } else if (auto* x = as<G::ExponentClauseContext>(ctx, PayDomainLexer::EXPONENT)) {
      c.kind = K::Exponent;
      c.number = Decimal{integer(x->NUMBER()->getSymbol()), 0};
    } else if (auto* x = as<G::SymbolClauseContext>(ctx, PayDomainLexer::SYMBOL)) {
      c.kind = K::Symbol;
      c.text = unquote(text(x->STRING()));
    } else if (auto* x = as<G::UrlClauseContext>(ctx, PayDomainLexer::URL)) {
      c.kind = K::Url;
      c.text = unquote(text(x->STRING()));
    } else if (auto* x = as<G::OptionClauseContext>(ctx, PayDomainLexer::OPTION)) {
      c.kind = K::Option;
      c.text = unquote(text(x->key));
      c.text2 = unquote(text(x->val));
    } else if (auto* x = as<G::AdapterClauseContext>(ctx, PayDomainLexer::ADAPTER)) {
      c.kind = K::Adapter;
      c.ref = ident(x->ident());
    } else if (auto* x = as<G::AccountClauseContext>(ctx, PayDomainLexer::ACCOUNT)) {
      c.kind = K::Account;
      if (x->role) c.role = account(x->role);
      c.ref = ident(x->currency);
      c.text = text(x->NUMBER());  // digits as written: account numbers exceed 64 bits (dsl/accounts.h)
    } else if (auto* x = as<G::AcceptsClauseContext>(ctx, PayDomainLexer::ACCEPTS)) {
      c.kind = K::Accepts;
      c.condition = condition(x->condition());
    } else if (auto* x = as<G::FeesClauseContext>(ctx, PayDomainLexer::FEES)) {
      c.kind = K::Fees;
      c.cash_flow = cash_flow_block(x->cashFlowBlock());
    } else if (auto* x = as<G::ProviderClauseContext>(ctx, PayDomainLexer::PROVIDER)) {
      c.kind = K::Provider;
      c.ref = ident(x->ident());
    } else if (auto* x = as<G::RiskCoverageClauseContext>(ctx, PayDomainLexer::RISK_COVERAGE)) {
      c.kind = K::RiskCoverage;
      c.ref = ident(x->ident());
    } else if (as<G::DisabledClauseContext>(ctx, PayDomainLexer::DISABLED)) {
      c.kind = K::Disabled;
    } else if (auto* x = as<G::CurrenciesClauseContext>(ctx, PayDomainLexer::CURRENCIES)) {
      c.kind = K::Currencies;
      c.list = list(x->list());
    } else if (auto* x = as<G::CategoriesClauseContext>(ctx, PayDomainLexer::CATEGORIES)) {
      c.kind = K::Categories;
      c.list = list(x->list());
    } else if (auto* x = as<G::PaymentMethodsClauseContext>(ctx, PayDomainLexer::PAYMENT_METHODS)) {
      c.kind = K::PaymentMethods;
      for (auto* m : x->method()) {
        PaymentMethod pm;
        pm.kind = ident(m->kind);
        if (m->sub) pm.sub = ident(m->sub);
        pm.span = span(m);
        c.methods.push_back(std::move(pm));
      }
    } else if (auto* x = as_dyn<G::AmountBoundsClauseContext>(ctx, PayDomainLexer::AMOUNT)) {
      c.kind = K::AmountBounds;
      c.low = money(x->low);
      c.high = money(x->high);
    } else if (auto* x = as<G::RefundsClauseContext>(ctx, PayDomainLexer::REFUNDS)) {
      c.kind = K::Refunds;
      c.refunds = operation_terms(ctx, x->termsItem());
    } else if (auto* x = as<G::CapturesClauseContext>(ctx, PayDomainLexer::CAPTURES)) {
      c.kind = K::Captures;
      c.captures = operation_terms(ctx, x->termsItem());
    } else if (auto* x = as<G::ChargebacksClauseContext>(ctx, PayDomainLexer::CHARGEBACKS)) {
      c.kind = K::Chargebacks;
      c.chargebacks = operation_terms(ctx, x->termsItem());
    } else if (auto* x = as<G::HoldLifetimeClauseContext>(ctx, PayDomainLexer::HOLD_LIFETIME)) {
      c.kind = K::HoldLifetime;
      c.duration.count = integer(x->NUMBER()->getSymbol());
      c.duration.unit = ident(x->unit);
      c.duration.span = span(ctx);
    } else if (auto* x = as<G::RoutingClauseContext>(ctx, PayDomainLexer::ROUTING)) {
      c.kind = K::Routing;
      c.ref = ident(x->ident());
    } else if (auto* x = dynamic_cast<G::BindingRuleClauseContext*>(ctx)) {
      c.kind = K::BindingRule;
      c.binding = binding_rule(x->bindingRule());
    } else if (auto* x = as<G::RealmClauseContext>(ctx, PayDomainLexer::REALM)) {
      c.kind = K::Realm;
      c.ref = ident(x->ident());
    } else if (auto* x = as<G::ResidencesClauseContext>(ctx, PayDomainLexer::RESIDENCES)) {
      c.kind = K::Residences;
      c.list = list(x->list());
    } else if (auto* x = as<G::DefaultTariffClauseContext>(ctx, PayDomainLexer::DEFAULT_TARIFF)) {
      c.kind = K::DefaultTariff;
      c.ref = ident(x->ident());
    } else if (auto* x = as_routing(ctx)) {
      c.kind = K::RoutingStatement;
      c.routing = routing_statement(x->routingStatement());
    } else if (auto* x = as<G::ScopeClauseContext>(ctx, PayDomainLexer::SCOPE)) {
      c.kind = K::Scope;
      c.list = list(x->list());
    } else if (auto* x = as<G::PeriodClauseContext>(ctx, PayDomainLexer::PERIOD)) {
      c.kind = K::Period;
      c.ref = ident(x->ident());
    } else if (auto* x = as<G::TimezoneClauseContext>(ctx, PayDomainLexer::TIMEZONE)) {
      c.kind = K::Timezone;
      c.text = unquote(text(x->STRING()));
    } else if (auto* x = (first(ctx) == PayDomainLexer::COUNT ? static_cast<G::LimitBoundClauseContext*>(ctx) : as_dyn<G::LimitBoundClauseContext>(ctx, PayDomainLexer::AMOUNT))) {
      c.kind = K::LimitBound;
      c.bound_is_count = x->measure->getType() == PayDomainLexer::COUNT;
      c.bound_inclusive = x->op->getType() == PayDomainLexer::LE;
      c.bound = value(x->value());
    } else if (auto* x = as_dyn<G::WhenClauseContext>(ctx, PayDomainLexer::WHEN)) {
      c.kind = K::When;
      c.condition = condition(x->condition());
    } else if (auto* x = as<G::GivenClauseContext>(ctx, PayDomainLexer::GIVEN)) {
      c.kind = K::Given;
      for (auto* g : x->givenEntry()) c.given.push_back(given_entry(g));
    } else if (auto* x = as<G::ExpectClauseContext>(ctx, PayDomainLexer::EXPECT)) {
      c.kind = K::Expect;
      c.expect = expectation(x->expectation());
    }
    return c;
  }

  Object object(G::DefinitionContext* ctx) {
    Object o;
    o.span = span(ctx);
    if (ctx->TEST()) {
      o.kind = ObjectKind::Test;
      o.id = Ident{unquote(text(ctx->title)), span(ctx->title, ctx->title)};
    } else {
      o.kind = *object_kind_from_string(text(ctx->getStart()));
      o.id = ident(ctx->id);
      if (ctx->parent) o.parent = ident(ctx->parent);
    }
    // kind id ['extends' id] '{' clause* '}'  or  'test' STRING '{' clause* '}'
    for (auto* c : at_positions<G::ClauseContext>(ctx, o.parent ? 5 : 3, 1, 1)) o.clauses.push_back(clause(c));
    return o;
  }

 private:
  uint32_t file_;
  Diagnostics& diags_;
  const std::string& source_;
  bool ascii_;
};

// ANTLR caches prediction DFAs in statics shared by every parser; with
// diverse hostile input (the editor's live check, the fuzzer) they grow
// without bound. Parses hold the lock shared; every kDfaCheckEvery files one
// parse takes it exclusively and clears the caches when they are too large.
std::shared_mutex g_dfa_mutex;
std::atomic<uint64_t> g_files_parsed{0};
constexpr uint64_t kDfaCheckEvery = 1000;
constexpr size_t kMaxDfaStates = 100000;

size_t dfa_states(std::vector<antlr4::dfa::DFA>& dfas) {
  size_t n = 0;
  for (auto& d : dfas) n += d.states.size();
  return n;
}

void trim_dfa_cache(G& parser) {
  if (++g_files_parsed % kDfaCheckEvery != 0) return;
  std::unique_lock lock(g_dfa_mutex);
  auto* p = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  if (dfa_states(p->decisionToDFA) > kMaxDfaStates) p->clearDFA();
}

// The byte offset in `text` of each code point index in `cps` (ascending).
std::vector<size_t> byte_offsets(std::string_view text, const std::vector<size_t>& cps) {
  std::vector<size_t> out;
  out.reserve(cps.size());
  size_t cp = 0, k = 0;
  for (size_t b = 0; b <= text.size() && k < cps.size(); ++b) {
    if (b < text.size() && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80) continue;  // inside a code point
    while (k < cps.size() && cps[k] == cp) out.push_back(b), ++k;
    ++cp;
  }
  while (out.size() < cps.size()) out.push_back(text.size());
  return out;
}

// The live check's way (a ParseCache): the file's top-level definitions
// (a depth-0 token up to the brace that closes its block), each looked up
// by text and place, and only the others parsed, each on its own with the
// fast parse. False, with `domain` and `diags` as they were, when the file
// is not a plain sequence of definitions or one fails the fast parse: the
// caller then parses the whole file, so errors read exactly the same.
bool parse_by_definition(uint32_t index, const SourceFile& file, antlr4::ANTLRInputStream& input,
                         const std::vector<antlr4::Token*>& all, Builder& builder, Domain& domain, Diagnostics& diags,
                         ParseCache& cache) {
  struct Def {
    antlr4::Token *first, *last;
  };
  std::vector<Def> defs;
  antlr4::Token* first = nullptr;
  int depth = 0;
  for (antlr4::Token* t : all) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL || t->getType() == antlr4::Token::EOF) continue;
    if (!first) first = t;
    if (t->getType() == PayDomainLexer::LBRACE) ++depth;
    if (t->getType() == PayDomainLexer::RBRACE && --depth <= 0) {
      if (depth < 0) return false;
      defs.push_back({first, t});
      first = nullptr;
    }
  }
  if (first) return false;
  // Code point indexes -> byte offsets (the same for ASCII text).
  std::vector<size_t> cps;
  for (const Def& d : defs) cps.push_back(d.first->getStartIndex()), cps.push_back(d.last->getStopIndex() + 1);
  // The lexer skips a byte-order mark without counting it.
  const size_t bom = file.text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  std::vector<size_t> bytes = byte_offsets(std::string_view(file.text).substr(bom), cps);
  for (size_t& b : bytes) b += bom;

  const size_t objects_before = domain.objects.size(), diags_before = diags.items().size();
  auto undo = [&] {
    domain.objects.resize(objects_before);
    diags.items().resize(diags_before);
    return false;
  };
  for (size_t i = 0; i < defs.size(); ++i) {
    antlr4::Token* t = defs[i].first;
    size_t begin = bytes[2 * i], end = bytes[2 * i + 1];
    std::string key = std::to_string(index) + ':' + std::to_string(t->getStartIndex()) + ':' +
                      std::to_string(t->getLine()) + ':' + std::to_string(t->getCharPositionInLine()) + '\n';
    key.append(file.text, begin, end - begin);
    if (auto hit = cache.find(key)) {
      domain.objects.push_back(*hit);  // the domain owns its AST: the one copy, outside the cache's lock
      continue;
    }
    Lexer lexer(std::string_view(file.text).substr(0, end), &input,
                Lexer::Position{begin, t->getStartIndex(), t->getLine(), t->getCharPositionInLine()});
    antlr4::CommonTokenStream tokens(&lexer);
    G parser(&tokens);
    parser.removeErrorListeners();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    G::DomainFileContext* tree = nullptr;
    try {
      tree = parser.domainFile();
    } catch (const antlr4::ParseCancellationException&) {
      return undo();
    }
    if (tree->definition().size() != 1) return undo();
    size_t diags_now = diags.items().size();
    domain.objects.push_back(builder.object(tree->definition()[0]));
    // A definition that drew a diagnostic (a number too long) is parsed
    // again next time, so the diagnostic is reported again.
    if (diags.items().size() == diags_now) cache.put(std::move(key), domain.objects.back());
  }
  return true;
}

void parse_file(uint32_t index, const SourceFile& file, Domain& domain, Diagnostics& diags, ParseCache* cache) {
  if (auto bad = first_invalid_utf8(file.text)) {
    Span at{index, bad->line, bad->column, 0, 0, bad->line};
    diags.error(at, "encoding", "the file is not valid UTF-8 (invalid byte at this position)")
        .expected = "UTF-8 text";
    return;
  }
  antlr4::ANTLRInputStream input(file.text);  // only for Token::getText
  std::shared_lock dfa_lock(g_dfa_mutex);
  Lexer lexer(file.text, &input);
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();

  std::vector<antlr4::Token*> all = tokens.getTokens();
  Builder builder(index, diags, file.text);
  for (antlr4::Token* t : all) {
    if (t->getType() == PayDomainLexer::COMMENT) {
      std::string text = builder.text(t);
      while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.pop_back();
      domain.comments.push_back(Comment{builder.span(t, t), std::move(text)});
    }
  }
  if (!nesting_ok(all, index, diags)) return;
  if (cache && parse_by_definition(index, file, input, all, builder, domain, diags, *cache)) {
    dfa_lock.unlock();
    G parser(&tokens);
    trim_dfa_cache(parser);
    return;
  }

  G parser(&tokens);
  parser.removeErrorListeners();
  G::DomainFileContext* tree = nullptr;
  // Fast path: SLL prediction that bails on the first error; almost every
  // valid file parses this way. On failure, reparse with full LL and error
  // recovery to report every error.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    tree = parser.domainFile();
  } catch (const antlr4::ParseCancellationException&) {
    tree = nullptr;
  }
  if (!tree) {
    tokens.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    SyntaxErrorCollector collector(diags, index);
    parser.addErrorListener(&collector);
    size_t before = diags.error_count();
    try {
      tree = parser.domainFile();
    } catch (const TooManySyntaxErrors&) {
      diags.error(Span{index, 0, 0, 0, 0, 0}, "too-many-errors",
                  "too many syntax errors; stopped reading this file");
      return;
    }
    parser.removeErrorListeners();
    if (diags.error_count() > before) return;  // keep only clean files' objects
  }
  for (auto* def : tree->definition()) domain.objects.push_back(builder.object(def));
  dfa_lock.unlock();
  trim_dfa_cache(parser);
}

}  // namespace

Domain parse(std::vector<SourceFile> files, Diagnostics& diags, ParseCache* cache) {
  Domain domain;
  domain.files = std::move(files);
  diags.set_files(&domain.files);
  for (uint32_t i = 0; i < domain.files.size(); ++i) {
    const SourceFile& f = domain.files[i];
    size_t errors_before = diags.error_count();
    size_t objects_before = domain.objects.size();
    parse_file(i, f, domain, diags, cache);
    if (diags.error_count() == errors_before && domain.objects.size() == objects_before) {
      diags.warning(Span{i, 0, 0, 0, 0, 0}, "empty-file", "the file defines no objects");
    }
  }
  std::stable_sort(domain.comments.begin(), domain.comments.end(), [](const Comment& a, const Comment& b) {
    return a.span.file != b.span.file ? a.span.file < b.span.file : a.span.offset < b.span.offset;
  });
  return domain;
}

}  // namespace paydomain::dsl
