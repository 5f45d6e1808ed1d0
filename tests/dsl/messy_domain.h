// A deterministic generator of syntactically valid, messily written domains
// for the formatter tests: every kind of object, random conditions, volumes
// and cash flows, and between tokens random spacing, line breaks, blank lines,
// redundant parentheses and comments (own-line and trailing, some non-ASCII).
// References point at generated ids, but the result is not meant to pass the
// checker: the formatter works on syntax.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace paydomain::dsl::testing {

class MessyDomain {
 public:
  explicit MessyDomain(uint64_t seed) : state_(seed) {}

  // `per_kind` objects of each kind.
  std::string generate(int per_kind) {
    n_ = per_kind;
    std::string out = chance(50) ? "# generated domain — seed header\n\n" : "";
    using Fn = std::string (MessyDomain::*)(int);
    const Fn kinds[] = {&MessyDomain::currency, &MessyDomain::reference, &MessyDomain::adapter,
                        &MessyDomain::provider, &MessyDomain::terminal,  &MessyDomain::tariff,
                        &MessyDomain::routing,  &MessyDomain::limit,     &MessyDomain::test,
                        &MessyDomain::criterion, &MessyDomain::institution, &MessyDomain::binding};
    for (int i = 0; i < per_kind; ++i) {
      for (Fn kind : kinds) out += (this->*kind)(i) + (chance(70) ? "\n" : chance(50) ? "\n\n" : " ");
    }
    if (chance(50)) out += "# trailing comment at the end of the file\n";
    return out;
  }

 private:
  // splitmix64: a fixed algorithm, so a seed means the same corpus everywhere.
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int pick(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }
  bool chance(int percent) { return pick(100) < percent; }
  template <typename T>
  T any(const std::vector<T>& v) { return v[pick(static_cast<int>(v.size()))]; }

  // What goes between two tokens.
  std::string sp() {
    static const std::vector<std::string> notes = {
        "why this rule", "has \"quotes\" and { braces } and # hashes", "комментарий ₽ — цена", "TODO(ops): review",
        ""};
    int r = pick(100);
    if (r < 62) return " ";
    if (r < 70) return "   ";
    if (r < 78) return "\n    ";
    if (r < 86) return "  # c" + std::to_string(++comments_) + " " + any(notes) + "\n  ";
    if (r < 90) return "\n\n  ";
    if (r < 95) return "\n# own " + std::to_string(++comments_) + " " + any(notes) + "\n";
    return "\t";
  }
  std::string join(const std::vector<std::string>& tokens) {
    std::string out;
    for (size_t i = 0; i < tokens.size(); ++i) out += (i ? sp() : "") + tokens[i];
    return out;
  }
  std::string id(const char* prefix, int i) { return prefix + std::to_string(i); }
  std::string ref(const char* prefix) { return id(prefix, pick(n_)); }
  std::string code(char first, int i) {
    return std::string(1, first) + static_cast<char>('A' + i / 26 % 26) + static_cast<char>('A' + i % 26);
  }
  std::string cur() { return code('C', pick(n_)); }
  std::string money() {
    return std::to_string(pick(100000)) + (chance(70) ? "." + std::to_string(10 + pick(90)) : "") + " " + cur();
  }
  std::string str() {
    static const std::vector<std::string> s = {"\"plain\"", "\"with \\\"escaped\\\" quotes\"", "\"back\\\\slash\"",
                                               "\"tab\\tand\\nnewline\"", "\"юникод ₽\"", "\"\""};
    return any(s);
  }
  std::string list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? "," + sp() : "") + items[i];
    return out + "]";
  }
  std::vector<std::string> some(const char* prefix, int max) {
    std::vector<std::string> out;
    for (int i = 0, k = 1 + pick(max); i < k; ++i) out.push_back(ref(prefix));
    return out;
  }
  std::vector<std::string> some_currencies() {
    std::vector<std::string> out;
    for (int i = 0, k = 1 + pick(3); i < k; ++i) out.push_back(cur());
    return out;
  }

  // ---- conditions: text plus its binding strength (1 or, 2 and, 3 not, 4 compare)
  struct Cond {
    std::string text;
    int prec;
  };
  std::string paren(const Cond& c, int need) {
    bool must = c.prec < need;
    return must || chance(10) ? "(" + sp() + c.text + sp() + ")" : c.text;
  }
  Cond compare() {
    switch (pick(18)) {
      case 14: return {join({"card_type", chance(50) ? "is" : "!=", any<std::string>({"debit", "credit", "prepaid"})}), 4};
      case 15: return {join({"card_category", "in", list({"gold", "platinum"})}), 4};
      case 16: return {join({"issuer_bank", "==", str()}), 4};
      case 17: return {ref("cr"), 4};  // a criterion by name
      case 0: return {join({"currency", "==", cur()}), 4};
      case 1: return {join({"currency", chance(50) ? "in" : "not in", list(some_currencies())}), 4};
      case 2: return {join({"amount", any<std::string>({">=", "<", "<=", ">", "!="}), money()}), 4};
      case 3: return {join({"amount", "between", money(), "and", money()}), 4};
      case 4: return {join({"payment_tool", chance(50) ? "is" : "is not", any<std::string>({"bank_card", "wallet"})}), 4};
      case 5: return {join({"payment_system", "in", list(some("ps", 3))}), 4};
      case 6: return {join({"bin", "starts_with", "\"" + std::to_string(400000 + pick(9999)) + "\""}), 4};
      case 7: return {join({"risk", "==", any<std::string>({"low", "high", "fatal"})}), 4};
      case 8: return {join({"time", "between", "09:00", "and", "18:30"}), 4};
      case 9: return {join({"weekday", "in", list({"sat", "sun"})}), 4};
      case 10: return {join({"party", "==", str()}), 4};
      case 11: return {join({"issuer_country", "==", code('K', pick(n_))}), 4};
      case 12: return {join({"health", ".", "failure_rate", ">=", std::to_string(pick(100)) + "%"}), 4};
      default: return {join({"category", "in", list(some("cat", 2))}), 4};
    }
  }
  Cond condition(int depth) {
    int r = pick(100);
    if (depth == 0 || r < 45) return compare();
    if (r < 57) return {"not" + sp() + paren(condition(depth - 1), 3), 3};
    bool is_and = r < 80;
    int prec = is_and ? 2 : 1;
    std::string text = paren(condition(depth - 1), prec);
    for (int i = 0, k = 1 + pick(2); i < k; ++i) {
      text += sp() + (is_and ? "and" : "or") + sp() + paren(condition(depth - 1), prec);
    }
    return {text, prec};
  }
  std::string cond() { return condition(3).text; }

  // ---- cash flow
  std::string volume(int depth) {
    int r = depth == 0 ? pick(4) : pick(7);
    std::string v;
    switch (r) {
      case 0: v = money(); break;
      case 1: v = join({std::to_string(pick(5)) + "." + std::to_string(pick(100)) + "%", "of", "amount"}); break;
      case 2: v = join({std::to_string(1 + pick(9)), "/", std::to_string(1 + pick(99)), "of", "amount"}); break;
      case 3: v = "amount"; break;
      case 4:
      case 5: {
        v = join({r == 4 ? "min" : "max", "("}) + sp() + volume(depth - 1);
        for (int i = 0, k = 1 + pick(2); i < k; ++i) v += "," + sp() + volume(depth - 1);
        v += sp() + ")";
        break;
      }
      default:
        v = volume(depth - 1) + sp() + "+" + sp() + volume(depth - 1);
        if (chance(30)) v = "(" + v + ")";
    }
    return v;
  }
  std::string account() {
    static const std::vector<std::string> a = {"merchant.settlement", "system.settlement", "provider.settlement",
                                               "merchant.guarantee", "external.income"};
    return any(a);
  }
  std::string posting() {
    std::vector<std::string> t = {account(), "->", account(), ":", volume(2)};
    if (chance(30)) {
      t.push_back("round");
      t.push_back(any<std::string>({"half_even", "towards_zero", "away_from_zero", "half_away_from_zero"}));
    }
    if (chance(30)) t.push_back(str());
    return join(t);
  }
  std::string cash_flow(int depth) {
    std::string out = "{";
    for (int i = 0, k = pick(3); i < k; ++i) out += sp() + posting();
    if (depth > 0 && chance(60)) {
      for (int i = 0, k = 1 + pick(3); i < k; ++i) out += sp() + join({"when", cond()}) + sp() + cash_flow(depth - 1);
      if (chance(60)) out += sp() + "otherwise" + sp() + cash_flow(depth - 1);
    }
    return out + sp() + "}";
  }

  std::string object(const std::string& header, std::vector<std::string> clauses) {
    std::string out = header + sp() + "{";
    for (const std::string& c : clauses) out += sp() + c;
    return out + sp() + "}" + (chance(15) ? "  # after " + header.substr(0, header.find(' ')) + "\n" : "");
  }

  // ---- objects
  std::string currency(int i) {
    std::vector<std::string> c = {join({"numeric", std::to_string(i)}), join({"exponent", std::to_string(pick(4))})};
    if (chance(70)) c.insert(c.begin(), join({"name", str()}));
    if (chance(30)) c.push_back(join({"symbol", "\"¤\""}));
    return object("currency " + code('C', i), c);
  }
  std::string reference(int i) {
    static const std::vector<std::pair<std::string, std::string>> kinds = {
        {"category", "cat"}, {"payment_system", "ps"}, {"wallet_provider", "wp"}};
    std::string out;
    for (const auto& [kind, prefix] : kinds) {
      std::vector<std::string> c;
      if (chance(80)) c.push_back(join({"name", str()}));
      if (chance(30)) c.push_back(join({"description", str()}));
      out += object(kind + " " + id(prefix.c_str(), i), c) + "\n";
    }
    return out + object("country " + code('K', i), {join({"name", str()})});
  }
  std::string adapter(int i) {
    std::vector<std::string> c = {join({"url", "\"https://a" + std::to_string(i) + ".example/api\""})};
    for (int k = pick(3); k > 0; --k) c.push_back(join({"option", str(), str()}));
    return object("adapter " + id("ad", i), c);
  }
  std::string provider(int i) {
    std::vector<std::string> c = {join({"adapter", ref("ad")})};
    for (int k = pick(3); k > 0; --k) c.push_back(join({"account", cur(), std::to_string(10000 + pick(90000))}));
    if (chance(70)) c.push_back(join({"accepts", cond()}));
    if (chance(60)) c.push_back("fees" + sp() + cash_flow(1));
    return object("provider " + id("pr", i), c);
  }
  std::string terminal(int i) {
    std::vector<std::string> c = {join({"provider", ref("pr")}), join({"risk_coverage", chance(50) ? "high" : "low"})};
    if (chance(20)) c.push_back("disabled");
    if (chance(30)) c.push_back(join({"accepts", cond()}));
    return object("terminal " + id("t", i), c);
  }
  std::string tariff(int i) {
    std::vector<std::string> c;
    if (chance(60)) c.push_back(join({"name", str()}));
    c.push_back(join({"currencies", list(some_currencies())}));
    if (chance(60)) c.push_back(join({"categories", list(some("cat", 12))}));
    if (chance(60)) {
      std::vector<std::string> methods;
      for (int k = 1 + pick(3); k > 0; --k) {
        methods.push_back(chance(50) ? join({"bank_card", "(", ref("ps"), ")"}) : any<std::string>({"mobile", "wallet"}));
      }
      c.push_back(join({"payment_methods", list(methods)}));
    }
    for (int k = pick(3); k > 0; --k) c.push_back(join({"amount", "between", money(), "and", money()}));
    c.push_back("fees" + sp() + cash_flow(2));
    if (chance(50)) {
      std::vector<std::string> items;
      if (chance(70)) items.push_back(join({"allowed", chance(50) ? "true" : "false"}));
      if (chance(50)) items.push_back(join({"partial", chance(50) ? "true" : "false"}));
      if (chance(50)) items.push_back("fees" + sp() + cash_flow(1));
      if (chance(30) && items.size() > 1) std::swap(items.front(), items.back());
      c.push_back(object("refunds", items));
    }
    if (chance(50)) c.push_back(join({"hold_lifetime", std::to_string(1 + pick(30)), "days"}));
    if (chance(70)) c.push_back(join({"routing", ref("rt")}));
    return object("tariff " + id("tf", i), c);
  }
  std::string routing(int i) {
    std::vector<std::string> c;
    for (int k = 1 + pick(6); k > 0; --k) {
      switch (pick(5)) {
        case 0: c.push_back(join({"when", cond(), ":", "decline"}) + (chance(50) ? sp() + str() : "")); break;
        case 1: c.push_back(chance(50) ? join({"use", ref("rt")}) : join({"when", cond(), ":", "use", ref("rt")})); break;
        case 2: c.push_back(join({"exclude", "when", cond()})); break;
        default: {
          std::vector<std::string> t = {"candidate", ref("t")};
          if (chance(60)) t.insert(t.end(), {"priority", std::to_string(pick(5000))});
          if (chance(60)) t.insert(t.end(), {"weight", std::to_string(pick(100))});
          if (chance(60)) t.insert(t.end(), {"when", cond()});
          c.push_back(join(t));
        }
      }
    }
    return object("routing " + id("rt", i), c);
  }
  std::string limit(int i) {
    std::vector<std::string> c = {join({"scope", list({any<std::string>({"party", "shop", "payment_tool"})})}),
                                  join({"period", any<std::string>({"day", "week", "month", "year"})})};
    if (chance(30)) c.push_back(join({"timezone", any<std::string>({"\"+03:00\"", "\"Europe/Moscow\""})}));
    c.push_back(chance(50) ? join({"amount", chance(50) ? "<=" : "<", money()})
                           : join({"count", chance(50) ? "<=" : "<", std::to_string(pick(1000))}));
    if (chance(60)) c.push_back(join({"when", cond()}));
    return object("limit " + id("lm", i), c);
  }
  std::string criterion(int i) {
    std::vector<std::string> c;
    if (chance(40)) c.push_back(join({"name", str()}));
    c.push_back(join({"when", cond()}));
    return object("criterion " + id("cr", i), c);
  }
  std::string institution(int i) {
    std::vector<std::string> c;
    if (chance(40)) c.push_back(join({"name", str()}));
    c.push_back(join({"realm", chance(50) ? "live" : "test"}));
    if (chance(60)) c.push_back(join({"residences", list({code('K', pick(n_)), code('K', pick(n_))})}));
    if (chance(70)) c.push_back(join({"default_tariff", ref("tf")}));
    if (chance(30)) c.push_back(join({"routing", ref("rt")}));
    return object("payment_institution " + id("pi", i), c);
  }
  std::string binding(int i) {
    std::vector<std::string> c;
    if (chance(30)) c.push_back(join({"description", str()}));
    for (int k = 1 + pick(4); k > 0; --k) {
      std::string who = chance(30) ? join({"payment_institution", "==", ref("pi")}) : cond();
      c.push_back(join({"when", who, ":", "tariff", ref("tf")}));
    }
    if (chance(50)) c.push_back(join({"otherwise", ":", "tariff", ref("tf")}));
    return object("tariff_binding " + id("tb", i), c);
  }
  std::string test(int i) {
    std::string given = "given" + sp() + "{";
    for (int k = 1 + pick(6); k > 0; --k) {
      switch (pick(8)) {
        case 0: given += sp() + join({"amount", money()}); break;
        case 1: given += sp() + join({"payment_tool", "bank_card"}); break;
        case 2: given += sp() + join({"health", ref("t"), "failure_rate", std::to_string(pick(100)) + "%"}); break;
        case 3: given += sp() + join({"turnover", ref("lm"), money()}); break;
        case 4: given += sp() + join({"time", "10:30"}); break;
        case 5: given += sp() + join({"party", str()}); break;
        case 6: given += sp() + join({"payment_institution", ref("pi")}); break;
        default: given += sp() + join({"tariff", ref("tf")});
      }
    }
    given += sp() + "}";
    std::vector<std::string> c;
    if (chance(30)) c.push_back(join({"description", str()}));
    c.push_back(given);
    for (int k = 1 + pick(4); k > 0; --k) {
      switch (pick(12)) {
        case 10: c.push_back(join({"expect", "tariff", ref("tf")})); break;
        case 0: c.push_back(join({"expect", "posting", account(), "->", account(), money()})); break;
        case 1: c.push_back(join({"expect", "no", "route"})); break;
        case 2: c.push_back(join({"expect", "route", "in", list(some("t", 3))})); break;
        case 3: c.push_back(join({"expect", "route", ref("t")})); break;
        case 4: c.push_back(join({"expect", "decline"}) + (chance(50) ? sp() + str() : "")); break;
        case 5: c.push_back(join({"expect", "allowed"})); break;
        case 6: c.push_back(join({"expect", "forbidden"})); break;
        case 7: c.push_back(join({"expect", "limit", ref("lm"), "applies"})); break;
        case 8: c.push_back(join({"expect", "limit", ref("lm"), "exceeded"})); break;
        case 9: c.push_back(join({"expect", "limit", ref("lm"), "not", "applies"})); break;
        default: c.push_back(join({"expect", "undetermined"}));
      }
    }
    return object("test \"case " + std::to_string(i) + (chance(30) ? " \\\"quoted\\\"" : "") + "\"", c);
  }

  uint64_t state_;
  int n_ = 1;
  int comments_ = 0;
};

}  // namespace paydomain::dsl::testing
