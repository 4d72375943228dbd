#include "ingest/normalise.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <chrono>
#include <cstdint>

#include "core/errors.h"

namespace pathaudit::ingest {

namespace {

const icu::Normalizer2& normalizer(bool nfkd) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n =
      nfkd ? icu::Normalizer2::getNFKDInstance(status) : icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || n == nullptr) {
    throw core::Error(std::string("ICU normaliser unavailable: ") + u_errorName(status));
  }
  return *n;
}

icu::UnicodeString normalize(const icu::Normalizer2& n, const icu::UnicodeString& s) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out = n.normalize(s, status);
  if (U_FAILURE(status)) {
    throw core::Error(std::string("ICU normalisation failed: ") + u_errorName(status));
  }
  return out;
}

// Marks of elision inside a name: removed, not turned into spaces, so "O'Brien" and "OBrien" agree.
// Includes the acute accent and grave used as typed apostrophes, which NFKD would otherwise turn
// into a space plus a combining mark.
bool is_apostrophe(UChar32 c) {
  switch (c) {
    case 0x0027:  // '
    case 0x0060:  // `
    case 0x00B4:  // ´
    case 0x02BC:  // modifier letter apostrophe
    case 0x2018:  // left single quotation mark
    case 0x2019:  // right single quotation mark
    case 0x201B:  // single high-reversed-9 quotation mark
    case 0x2032:  // prime
    case 0xFF07:  // fullwidth apostrophe
      return true;
    default:
      return false;
  }
}

bool is_separator(UChar32 c) {
  if (u_isUWhiteSpace(c))
    return true;
  switch (u_charType(c)) {
    case U_CONTROL_CHAR:
    case U_SPACE_SEPARATOR:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_MATH_SYMBOL:
    case U_CURRENCY_SYMBOL:
    case U_MODIFIER_SYMBOL:
    case U_OTHER_SYMBOL:
      return true;
    default:
      return false;
  }
}

int soundex_digit(char c) {
  switch (c) {
    case 'b':
    case 'f':
    case 'p':
    case 'v':
      return 1;
    case 'c':
    case 'g':
    case 'j':
    case 'k':
    case 'q':
    case 's':
    case 'x':
    case 'z':
      return 2;
    case 'd':
    case 't':
      return 3;
    case 'l':
      return 4;
    case 'm':
    case 'n':
      return 5;
    case 'r':
      return 6;
    default:
      return 0;  // vowels a e i o u y, and h w (handled by the caller)
  }
}

}  // namespace

std::optional<std::string> normalise_nhs_number(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c == ' ' || c == '-')
      continue;
    if (c < '0' || c > '9')
      return std::nullopt;
    digits.push_back(c);
    if (digits.size() > 10)
      return std::nullopt;
  }
  if (digits.size() != 10)
    return std::nullopt;
  if (digits.find_first_not_of(digits[0]) == std::string::npos)
    return std::nullopt;
  int sum = 0;
  for (int i = 0; i < 9; ++i)
    sum += (digits[i] - '0') * (10 - i);
  int check = 11 - sum % 11;
  if (check == 11)
    check = 0;
  if (check == 10 || check != digits[9] - '0')
    return std::nullopt;
  return digits;
}

std::string normalise_name(std::string_view utf8) {
  // Decode strictly (U8_NEXT rejects overlong forms, surrogates and truncated sequences), dropping
  // apostrophes before NFKD can split the accent-like ones.
  icu::UnicodeString decoded;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto length = static_cast<int32_t>(utf8.size());
  if (utf8.size() > 4096)
    throw core::ValidationError("name is longer than 4096 bytes");
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0)
      throw core::ValidationError("name is not valid UTF-8");
    if (!is_apostrophe(c))
      decoded.append(c);
  }

  const icu::Normalizer2& nfkd = normalizer(true);
  icu::UnicodeString folded = normalize(nfkd, decoded);
  // Full default folding (ß -> ss), then NFKD again because folding can produce characters that
  // decompose further.
  folded.foldCase(U_FOLD_CASE_DEFAULT);
  folded = normalize(nfkd, folded);

  icu::UnicodeString kept;
  bool pending_space = false;
  for (int32_t i = 0; i < folded.length();) {
    const UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    const int8_t type = u_charType(c);
    if (type == U_NON_SPACING_MARK || type == U_FORMAT_CHAR || is_apostrophe(c))
      continue;
    if (is_separator(c)) {
      pending_space = !kept.isEmpty();
      continue;
    }
    if (pending_space)
      kept.append(static_cast<UChar32>(' '));
    pending_space = false;
    kept.append(c);
  }

  // NFC so the stored form is the conventional one (recomposes Hangul jamo, for instance).
  std::string out;
  normalize(normalizer(false), kept).toUTF8String(out);
  return out;
}

std::string phonetic_code(std::string_view normalised_name) {
  std::string letters;
  for (char c : normalised_name) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z')
      letters.push_back(c);
  }
  if (letters.empty())
    return "";
  std::string code(1, static_cast<char>(letters[0] - 'a' + 'A'));
  // The first letter's own digit counts as "previous", so Pfister is P236, not P123.
  int previous = soundex_digit(letters[0]);
  for (std::size_t i = 1; i < letters.size() && code.size() < 4; ++i) {
    const char c = letters[i];
    if (c == 'h' || c == 'w')
      continue;  // transparent: do not separate equal codes
    const int digit = soundex_digit(c);
    if (digit == 0) {  // a vowel separates: equal codes either side are both kept
      previous = 0;
      continue;
    }
    if (digit != previous)
      code.push_back(static_cast<char>('0' + digit));
    previous = digit;
  }
  code.resize(4, '0');
  return code;
}

std::optional<std::string> normalise_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return std::nullopt;
  auto number = [&](std::size_t pos, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9')
        return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  const int y = number(0, 4);
  const int m = number(5, 2);
  const int d = number(8, 2);
  if (y < 1 || m < 1 || d < 1)
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{y},
                                         std::chrono::month{static_cast<unsigned>(m)},
                                         std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok())
    return std::nullopt;
  return std::string(text);
}

}  // namespace pathaudit::ingest
