// Byte strings and their hex form, shared by every crypto API. Values are plain owned vectors: the
// caller owns them and must cleanse any that hold secrets (see SecretKey for keys). Free functions
// only; all are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pathaudit::crypto {

using Bytes = std::vector<std::uint8_t>;

// Lower-case hex, two characters per byte.
std::string to_hex(const void* data, std::size_t size);
std::string to_hex(const Bytes& bytes);

// Accepts upper or lower case. Throws core::ValidationError on odd length or a non-hex character;
// the message gives the position only, never the text, because hex input is often key material.
Bytes from_hex(std::string_view hex);

}  // namespace pathaudit::crypto
