// SHA-256 for the store: the content hash of a copied revision (`store
// copy` checks every revision by it) and the stored form of API tokens
// (only hashes are kept). OpenSSL's libcrypto computes it.
#pragma once

#include <string>
#include <string_view>

namespace paydomain::store {

// Lower-case hex SHA-256 (FIPS 180-4) of `data`, computed by OpenSSL's
// libcrypto; "" only if libcrypto cannot compute it at all.
std::string sha256_hex(std::string_view data);

}  // namespace paydomain::store
