// The audit log's hash chain: each entry's hash covers the previous entry's hash and the entry's
// own fields, so changing, deleting or reordering a stored entry breaks every hash after it. Pure
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pathaudit::crypto {

// The prev_hash of the first entry.
const std::string& chain_genesis();

// Lower-case hex SHA-256 over a domain tag, prev_hash and each field length-prefixed, so no two
// different field lists encode alike.
std::string chain_hash(std::string_view prev_hash, const std::vector<std::string_view>& fields);

}  // namespace pathaudit::crypto
