// Normalisation of child identifiers before they are pseudonymised (DESIGN.md section 4; rules in
// docs/security.md, "Normalisation"). Two agencies' spellings of one identifier must give the same
// string, and the result must not change across releases or ICU upgrades, because pseudonyms made
// from it are stored and raw identifiers are not. So only Unicode operations with stability
// guarantees are used (NFKD, NFC, default full case folding, general categories): no
// transliteration tables, whose data may change between ICU versions.
//
// Pure functions over borrowed input; thread-safe (ICU's normaliser instances are immutable
// singletons). Errors never include the value: identifiers must not reach logs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pathaudit::ingest {

// Removes spaces and hyphens; requires exactly 10 ASCII digits with a valid modulus-11 check digit
// (weights 10..2 over the first nine digits; 11 - (sum mod 11), where 11 means 0 and 10 means the
// number is invalid). Numbers made of one repeated digit (0000000000, 9999999999, ...) pass the
// check but are placeholders for "unknown", so they are refused too: linking on them would merge
// unrelated children. Returns the 10 digits, or nullopt.
std::optional<std::string> normalise_nhs_number(std::string_view text);

// Names, in this order (full rules and examples in docs/security.md, "Normalisation"):
//  1. strict UTF-8 decoding (core::ValidationError on invalid input or on more than 4096 bytes);
//  2. apostrophes removed (ASCII ' and `, acute accent, left/right single quotes, prime, modifier
//     letter apostrophe, fullwidth apostrophe), so "O'Brien" -> "obrien";
//  3. NFKD (compatibility forms such as the "fi" ligature become plain letters);
//  4. full default case folding (sharp s -> "ss"), then NFKD again;
//  5. non-spacing marks (Mn) removed, so accented letters lose their accents;
//  6. format characters (soft hyphen, zero-width joiners) removed;
//  7. whitespace, controls, other punctuation (hyphens, dots, commas, brackets) and symbols become
//     spaces ("Smith-Jones" -> "smith jones");
//  8. runs of spaces collapse to one; trimmed; NFC.
// Letters without a decomposition (o with stroke, l with stroke, ae) stay as they are. May return
// an empty string (e.g. for "--"), which callers treat as missing.
std::string normalise_name(std::string_view utf8);

// American Soundex (the US National Archives' rules, including the H/W rule: consonants with the
// same code separated only by H or W are coded once) of a normalised surname, for the "probable"
// linkage tier. The code is of the whole name with every character other than a-z removed, so
// "smith jones", "smith-jones" and "smithjones" agree (all S532). Letters outside a-z (e.g. "ø",
// non-Latin scripts) are ignored; a name with no a-z letter gives "". Upper case A-Z is accepted
// and treated as lower case. Examples: Robert and Rupert R163, Smith and Smyth S530, Ashcraft A261,
// Pfister P236, Tymczak T522.
std::string phonetic_code(std::string_view normalised_name);

// Strict ISO 8601 calendar date YYYY-MM-DD (exactly 10 characters, year 0001-9999, a real date in
// the proleptic Gregorian calendar, so 2024-02-29 is valid and 2023-02-29 is not). Returns the same
// text, or nullopt.
std::optional<std::string> normalise_date(std::string_view text);

}  // namespace pathaudit::ingest
