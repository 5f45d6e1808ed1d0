#include "tests/domain_store/util.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "domain_store/store_factory.h"
#include "domain_store/working_copy.h"

namespace paydomain::store::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "pd_store_XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  path_ = made ? made : "";
  if (!made) ADD_FAILURE() << "mkdtemp failed";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

const char* const kSampleDomain = R"pd(# Reference data
currency RUB { name "Russian ruble"  numeric 643  exponent 2 }
currency USD { name "US dollar" numeric 840 exponent 2 }
payment_system mastercard { name "Mastercard" }
payment_system visa { name "Visa" }
category retail { name "Retail" }
adapter yb_adapter { url "https://yb.example/api" option "timeout" "5s" }
provider yellowbank {
  adapter yb_adapter
  accepts currency in [RUB, USD] and payment_tool is bank_card
}
terminal yb_3ds  { provider yellowbank  risk_coverage high }
terminal yb_fast { provider yellowbank  risk_coverage low }

routing main {
  when risk == fatal: decline "risk too high"
  candidate yb_3ds  priority 1000 weight 70 when risk in [low, high]
  candidate yb_fast priority 1000 weight 30 when risk == low
}

tariff standard {
  name "Standard merchant tariff"
  currencies [RUB, USD]
  routing main
  fees {
    when payment_system == mastercard {
      merchant.settlement -> system.settlement : 1% of amount
    }
    otherwise {
      merchant.settlement -> system.settlement : 2.5% of amount
    }
  }
}
)pd";

ObjectKey key(const std::string& kind_colon_id) {
  auto k = parse_object_key(kind_colon_id);
  EXPECT_TRUE(k.has_value()) << kind_colon_id;
  return k.value_or(ObjectKey{});
}

Op insert(const std::string& k, const std::string& text) { return Op{OpType::Insert, key(k), text, "", std::nullopt}; }
Op update(const std::string& k, const std::string& text) { return Op{OpType::Update, key(k), text, "", std::nullopt}; }
Op remove(const std::string& k) { return Op{OpType::Remove, key(k), "", "", std::nullopt}; }

CommitRequest request(Rev base, std::vector<Op> ops, const std::string& message) {
  CommitRequest r;
  r.base = base;
  r.author = "tester";
  r.message = message;
  r.ops = std::move(ops);
  return r;
}

Result<std::unique_ptr<Store>> make_store(const std::string& location) { return init_store(location); }

void seed(Store& store) {
  CommitRequest r = request(0, {}, "seed");
  auto done = commit_sources(store, {dsl::SourceFile{"/wc/domain.pd", kSampleDomain}}, "/wc", r);
  EXPECT_TRUE(done.ok()) << describe_error(done);
}

std::unique_ptr<Store> seeded_store(const std::string& location) {
  auto store = make_store(location);
  EXPECT_TRUE(store.ok()) << describe_error(store);
  if (!store.ok()) return nullptr;
  seed(**store);
  return std::move(*store);
}

std::string terminal_text(const std::string& name, const std::string& extra) {
  return "terminal " + name + " { provider yellowbank risk_coverage low " + extra + "}";
}

std::string describe(const Error& e) {
  std::string out = std::string(to_string(e.code)) + ": " + e.message;
  for (const auto& d : e.diagnostics) out += "\n  " + d.object + ": " + d.code + ": " + d.message;
  return out;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace paydomain::store::testing
