// Random `extends` chains for property tests: tariffs t0 <- t1 <- ... <- tN
// (t1 extends t0), each naming a random subset of a tariff's parts, and
// `flat`: tN written out whole by hand, each part taken from the nearest
// tariff that names it as docs/language.md ("Inherited tariffs") says —
// independently of dsl/inheritance.cc, so a test can hold the two equal.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "random_domain.h"

namespace paydomain::evaluator::testing {

// Two routing rulesets a tariff may name (declines only: no terminals needed).
inline const char* kInheritanceRoutings = R"(
routing ra { when risk == fatal: decline "ra declines fatal" }
routing rb { when risk >= high: decline "rb declines high" }
)";

struct RandomChain {
  std::string text;  // the tariffs t0..tN and `flat`
  std::string child;  // "tN"
  int levels = 0;
  // The tariff (index into t0..tN) each inherited part of the child is
  // written in, by part name ("fees", "refunds.fees", "amount RUB", ...).
  // A part of a block (refunds, captures, chargebacks) is named "block.item".
  std::map<std::string, int> origin;
};

class RandomInheritance {
 public:
  explicit RandomInheritance(RandomDomain& gen) : g_(gen) {}

  RandomChain chain(int levels) {
    g_.criteria_.clear();  // conditions without criteria
    RandomChain out;
    out.levels = levels;
    out.child = "t" + std::to_string(levels - 1);
    std::map<std::string, std::string> nearest;  // part -> clause text, from the child upwards
    std::vector<std::map<std::string, std::string>> parts(static_cast<size_t>(levels));
    for (int k = 0; k < levels; ++k) parts[static_cast<size_t>(k)] = random_parts();
    for (int k = 0; k < levels; ++k) {
      out.text += "tariff t" + std::to_string(k) + (k ? " extends t" + std::to_string(k - 1) : "") + " {\n";
      std::map<std::string, std::string> blocks;  // block -> its items' lines
      for (const auto& [part, clause] : parts[static_cast<size_t>(k)]) {
        if (size_t dot = part.find('.'); dot != std::string::npos) {
          blocks[part.substr(0, dot)] += "    " + clause + "\n";
        } else {
          out.text += "  " + clause + "\n";
        }
      }
      for (const char* block : kBlocks) {  // sometimes an empty block: it names nothing
        if (blocks.count(block) || g_.pick(6) == 0) out.text += std::string("  ") + block + " {\n" + blocks[block] + "  }\n";
      }
      out.text += "}\n";
    }
    for (int k = levels - 1; k >= 0; --k) {
      for (const auto& [part, clause] : parts[static_cast<size_t>(k)]) {
        if (nearest.count(part) || (k < levels - 1 && part == "name")) continue;
        nearest[part] = clause;
        if (k < levels - 1) out.origin[part] = k;
      }
    }
    out.text += "tariff flat {\n";
    std::map<std::string, std::string> blocks;
    for (const auto& [part, clause] : nearest) {
      if (size_t dot = part.find('.'); dot != std::string::npos) {
        blocks[part.substr(0, dot)] += "    " + clause + "\n";
      } else {
        out.text += "  " + clause + "\n";
      }
    }
    for (const auto& [block, items] : blocks) out.text += "  " + block + " {\n" + items + "  }\n";
    out.text += "}\n";
    return out;
  }

 private:
  static constexpr const char* kBlocks[] = {"refunds", "captures", "chargebacks"};

  std::string fee_decision() {
    std::string s = "{\n";
    if (g_.pick(3) == 0) s += "    system.settlement -> system.subagent : 0." + std::to_string(1 + g_.pick(9)) + "% of amount\n";
    const int n = g_.pick(5);
    for (int i = 0; i < n; ++i) {
      s += "    when " + g_.condition() + " { merchant.settlement -> system.settlement : " + std::to_string(1 + g_.pick(9)) +
           "% of amount }\n";
    }
    if (n > 0 && g_.pick(2)) s += "    otherwise { merchant.settlement -> system.settlement : 1.00 RUB }\n";  // only after a `when`
    return s + "  }";
  }

  // Each part at most once (a name for the flattening, the clause as written).
  std::map<std::string, std::string> random_parts() {
    static const std::vector<std::string> currencies = {"[RUB]", "[USD]", "[RUB, USD]"};
    static const std::vector<std::string> categories = {"[retail]", "[travel, gaming]", "[retail, travel, gaming]"};
    static const std::vector<std::string> methods = {"[bank_card]", "[bank_card(visa), bank_card(mir)]",
                                                     "[bank_card(mastercard), wallet]"};
    std::map<std::string, std::string> p;
    auto maybe = [&](const std::string& part, const std::string& clause) {
      if (g_.pick(3) == 0) p[part] = clause;
    };
    maybe("name", "name \"n" + std::to_string(g_.pick(100)) + "\"");
    maybe("currencies", "currencies " + g_.one(currencies));
    maybe("categories", "categories " + g_.one(categories));
    maybe("payment_methods", "payment_methods " + g_.one(methods));
    maybe("amount RUB", "amount between " + std::to_string(g_.pick(50)) + ".00 RUB and " +
                            std::to_string(100 + g_.pick(2000)) + ".00 RUB");
    maybe("amount USD", "amount between 0." + std::to_string(10 + g_.pick(80)) + " USD and " +
                            std::to_string(50 + g_.pick(2000)) + ".00 USD");
    maybe("fees", "fees " + fee_decision());
    maybe("hold_lifetime", "hold_lifetime " + std::to_string(1 + g_.pick(30)) + " days");
    maybe("routing", std::string("routing ") + (g_.pick(2) ? "ra" : "rb"));
    maybe("refunds.allowed", std::string("allowed ") + (g_.pick(2) ? "true" : "false"));
    maybe("refunds.partial", std::string("partial ") + (g_.pick(2) ? "true" : "false"));
    maybe("refunds.fees", "fees " + fee_decision());
    maybe("captures.partial", std::string("partial ") + (g_.pick(2) ? "true" : "false"));
    maybe("chargebacks.allowed", std::string("allowed ") + (g_.pick(2) ? "true" : "false"));
    maybe("chargebacks.fees", "fees " + fee_decision());
    maybe("chargebacks.reserve", "reserve " + fee_decision());
    return p;
  }

  RandomDomain& g_;
};

}  // namespace paydomain::evaluator::testing
