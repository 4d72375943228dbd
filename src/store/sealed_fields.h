// The registry of every column that holds a sealed field (crypto/aead.h format), and the associated
// data that binds a sealed value to its table, column and row so ciphertexts cannot be swapped
// between them. Key rotation, key status and crypto-shredding walk this list: a new sealed column
// must be added here or rotation would leave it behind.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "store/database.h"

namespace pathaudit::store {

struct SealedColumn {
  const char* table;
  const char* column;
};

const std::vector<SealedColumn>& sealed_columns();

// "table|column|row id": the associated data of a sealed field.
std::string sealed_field_aad(std::string_view table, std::string_view column, std::int64_t row_id);

// How many fields in all sealed columns are sealed under `key_id`.
std::int64_t count_fields_sealed_with(Session& s, std::uint32_t key_id);

// Up to `limit` fields of one column sealed under `key_id`, as (row id, sealed bytes).
std::vector<std::pair<std::int64_t, crypto::Bytes>> fields_sealed_with(Session& s,
                                                                       const SealedColumn& column,
                                                                       std::uint32_t key_id,
                                                                       int limit);

void update_sealed_field(Session& s, const SealedColumn& column, std::int64_t row_id,
                         const crypto::Bytes& sealed);

}  // namespace pathaudit::store
