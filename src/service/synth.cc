// pathaudit synth (see synth.h and docs/synth.md).
//
// Shape: families are generated one at a time. For each child a ChildLayout lays out the events of
// its pathway (and records the gaps it injected) from the child's own random streams, so a layout
// can be repeated at another concern date with the same choices; a family's concern date is chosen
// so every event falls inside [start, end]. Each child is then emitted: event ids, each agency's
// (noisy) view of the child's identifiers, one CSV row per event spilled to a temporary file by
// event date, truth rows written directly. At the end each temporary file is sorted and appended
// to the agency files.
#include "service/synth.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/calendar.h"
#include "core/csv.h"
#include "core/errors.h"
#include "core/vocabulary.h"
#include "service/reference_data.h"

namespace pathaudit::service {
namespace {

namespace fs = std::filesystem;
using core::Date;

// ----------------------------------------------------------------------------------------------
// Randomness: splitmix64 to derive seeds, xoshiro256** for streams, and integer-only helpers.

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The seed of one stream: `purpose` names what it is for, `n` which thing (child, family...).
std::uint64_t derive(std::uint64_t seed, std::uint64_t purpose, std::uint64_t n) {
  return mix64(mix64(mix64(seed) ^ mix64(purpose * 0x632be59bd9b4e019ULL)) + n);
}

enum Purpose : std::uint64_t {
  kFamilyStream = 1,
  kPlanStream,
  kShareStream,
  kCadenceStream,
  kRowStream,
  kViewStream,  // + agency
  kNhsKey = 100,
  kLocalIdKey,        // + agency
  kEventIdKey = 200,  // + agency
};

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (int i = 0; i < 4; ++i)
      s_[i] = mix64(seed + static_cast<std::uint64_t>(i) * 0xd1b54a32d192ed03ULL);
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0)
      s_[0] = 1;
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [lo, hi], by rejection: the same values on every platform.
  int range(int lo, int hi) {
    if (hi <= lo)
      return lo;
    const std::uint64_t span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo) + 1;
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    std::uint64_t x;
    do {
      x = next();
    } while (x >= limit);
    return lo + static_cast<int>(x % span);
  }

  // True with probability p. Always consumes one draw, whatever p is.
  bool chance(double p) {
    const std::uint64_t x = next() >> 11;
    if (!(p > 0))
      return false;
    if (p >= 1)
      return true;
    return x < static_cast<std::uint64_t>(p * 9007199254740992.0);
  }

  // An index chosen with the given integer weights.
  int weighted(std::initializer_list<int> weights) {
    int total = 0;
    for (int w : weights)
      total += w;
    int x = range(0, total - 1);
    int i = 0;
    for (int w : weights) {
      if (x < w)
        return i;
      x -= w;
      ++i;
    }
    return i - 1;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// A keyed permutation of [0, size): a balanced Feistel network with cycle walking. Gives unique,
// random-looking numbers (NHS numbers, local ids, event ids) from counters without remembering any.
class Permutation {
 public:
  Permutation(std::uint64_t key, std::uint64_t size) : size_(size) {
    int bits = 2;
    while ((1ULL << bits) < size)
      ++bits;
    half_ = (bits + 1) / 2;
    mask_ = (1ULL << half_) - 1;
    for (int i = 0; i < 4; ++i)
      keys_[i] = mix64(key + static_cast<std::uint64_t>(i));
  }

  std::uint64_t size() const { return size_; }

  std::uint64_t operator()(std::uint64_t x) const {
    do {
      x = rounds(x);
    } while (x >= size_);
    return x;
  }

 private:
  std::uint64_t rounds(std::uint64_t x) const {
    std::uint64_t l = x >> half_, r = x & mask_;
    for (std::uint64_t k : keys_) {
      const std::uint64_t f = mix64(r ^ k) & mask_;
      const std::uint64_t nl = r;
      r = l ^ f;
      l = nl;
    }
    return (l << half_) | r;
  }

  std::uint64_t size_;
  int half_;
  std::uint64_t mask_;
  std::uint64_t keys_[4];
};

// ----------------------------------------------------------------------------------------------
// Working days: a table built once from the calendar, so add_working_days is O(1). Same results
// as core::WorkingDayCalendar (the unit tests check the generated data against the calendar).

class WorkingDays {
 public:
  explicit WorkingDays(const core::WorkingDayCalendar& calendar)
      : from_(calendar.valid_from()), to_(calendar.valid_to()) {
    int count = 0;
    for (Date d = from_; d <= to_; d = d.plus_days(1)) {
      if (calendar.is_working_day(d)) {
        ++count;
        days_.push_back(d);
      }
      upto_.push_back(count);
    }
  }

  // The date n working days after start (n >= 0), as core::WorkingDayCalendar::add_working_days.
  Date add(Date start, int n) const {
    const int before = upto(start);
    if (n <= 0)
      return start;
    const std::size_t k = static_cast<std::size_t>(before + n - 1);
    if (k >= days_.size())
      out_of_range(start);
    return days_[k];
  }
  bool working(Date d) const {
    const int i = index(d);
    return upto_[i] != (i ? upto_[i - 1] : 0);
  }
  Date on_or_after(Date d) const { return working(d) ? d : add(d, 1); }
  Date on_or_before(Date d) const {
    while (!working(d))
      d = d.plus_days(-1);
    return d;
  }
  // Working days w with a < w <= b (a <= b).
  int between(Date a, Date b) const { return upto(b) - upto(a); }

 private:
  int index(Date d) const {
    if (d < from_ || d > to_)
      out_of_range(d);
    return d - from_;
  }
  int upto(Date d) const { return upto_[index(d)]; }
  [[noreturn]] void out_of_range(Date d) const {
    throw core::ValidationError("synthetic date " + d.iso() +
                                " runs outside the working-day calendar (" + from_.iso() + " to " +
                                to_.iso() + "); choose --start and --end inside it");
  }

  Date from_, to_;
  std::vector<Date> days_;
  std::vector<int> upto_;  // working days on or before from_ + i
};

// ----------------------------------------------------------------------------------------------
// Agencies, event types, rules, noise kinds.

enum Agency : int { CSC, POLICE, GP, ED, HV, SCHOOL, SARC, CAMHS, VCS, EH, kAgencyCount };

struct AgencyInfo {
  const char* code;
  const char* name;
  const char* kind;
  double nhs_recorded;       // share of children whose record at this agency has the NHS number
  double local_id_recorded;  // ... has the agency's local id
};

const AgencyInfo kAgencies[kAgencyCount] = {
    {"CSC", "Children's Social Care (front door and MASH)", "csc", 0.85, 1.0},
    {"POLICE", "Police public protection unit", "police", 0.12, 0.95},
    {"GP", "General practice", "health", 0.97, 1.0},
    {"ED", "Emergency department", "health", 0.90, 0.90},
    {"HV", "Health visiting and school nursing", "health", 0.95, 1.0},
    {"SCHOOL", "Schools (designated safeguarding leads)", "education", 0.08, 0.95},
    {"SARC", "Paediatric sexual assault referral centre", "sarc", 0.85, 1.0},
    {"CAMHS", "Child and adolescent mental health services", "camhs", 0.92, 1.0},
    {"VCS", "Specialist CSA support service (voluntary sector)", "vcs", 0.25, 0.70},
    {"EH", "Early help", "early_help", 0.50, 0.90},
};

constexpr unsigned bit(int agency) {
  return 1u << agency;
}
constexpr unsigned kHealthAgencies = bit(GP) | bit(ED) | bit(HV);

enum class T : std::uint8_t {
  concern_identified,
  contact,
  referral,
  referral_decision,
  early_help_assessment,
  strategy_discussion,
  s47_start,
  s47_outcome,
  assessment_start,
  assessment_complete,
  abe_interview,
  medical_assessment,
  icpc,
  cp_plan_start,
  core_group,
  review_conference,
  cp_plan_end,
  cin_plan_start,
  police_report,
  crime_recorded,
  police_outcome,
  specialist_referral,
  specialist_assessment,
  therapeutic_support_start,
  information_shared,
  case_closed,
  kCount
};

// The enum above lists the contract's event types in core::event_types() order, so a type's name
// is core::event_types()[type]. generate_synthetic_partnership checks the counts agree; the tests'
// independent rule evaluator would catch a reordering.
const std::string& type_name(T type) {
  return pathaudit::core::event_types()[static_cast<std::size_t>(type)];
}

enum Rule : int {
  kDuplicateReferral,
  kRepeatedAccount,
  kStrategyWithoutPartner,
  kAbeNotShared,
  kOutcomeNotShared,
  kReferralDecisionLate,
  kAssessmentLate,
  kIcpcLate,
  kCoreGroupLate,
  kReviewLate,
  kNoMedicalConsidered,
  kNfaWording,
  kRuleCount
};

const char* const kRuleIds[kRuleCount] = {"duplicate_referral",       "repeated_account",
                                          "strategy_without_partner", "abe_not_shared",
                                          "outcome_not_shared",       "referral_decision_late",
                                          "assessment_late",          "icpc_late",
                                          "core_group_late",          "review_late",
                                          "no_medical_considered",    "nfa_wording"};

double rate_of(const SynthGapRates& r, int rule) {
  switch (rule) {
    case kDuplicateReferral:
      return r.duplicate_referral;
    case kRepeatedAccount:
      return r.repeated_account;
    case kStrategyWithoutPartner:
      return r.strategy_without_partner;
    case kAbeNotShared:
      return r.abe_not_shared;
    case kOutcomeNotShared:
      return r.outcome_not_shared;
    case kReferralDecisionLate:
      return r.referral_decision_late;
    case kAssessmentLate:
      return r.assessment_late;
    case kIcpcLate:
      return r.icpc_late;
    case kCoreGroupLate:
      return r.core_group_late;
    case kReviewLate:
      return r.review_late;
    case kNoMedicalConsidered:
      return r.no_medical_considered;
    default:
      return r.nfa_wording;
  }
}

enum Noise : int {
  kNhsMissing,
  kNhsSpaced,
  kLocalIdMissing,
  kNickname,
  kForenameTypo,
  kSurnameTypo,
  kSurnameHyphenation,
  kCaseVariation,
  kAccentVariation,
  kExtraSpaces,
  kDobSwapped,
  kForenameMissing,
  kDobMissing,
  kSexUnknown,
  kNoiseCount
};

const char* const kNoiseNames[kNoiseCount] = {
    "nhs_missing",      "nhs_spaced",   "local_id_missing",      "forename_nickname",
    "forename_typo",    "surname_typo", "surname_hyphenation",   "case_variation",
    "accent_variation", "extra_spaces", "dob_day_month_swapped", "forename_missing",
    "dob_missing",      "sex_unknown"};

// ----------------------------------------------------------------------------------------------
// Built-in names (common given names and surnames in England, combined at random: no real
// person). Variants are nicknames and alternative spellings, '|'-separated.

struct Forename {
  const char* name;
  const char* variants;
};

const Forename kGirls[] = {{"Olivia", "Liv|Livvy"},
                           {"Amelia", "Millie|Amy"},
                           {"Isla", ""},
                           {"Ava", ""},
                           {"Mia", ""},
                           {"Ivy", ""},
                           {"Lily", "Lilly"},
                           {"Isabella", "Bella|Izzy"},
                           {"Rosie", ""},
                           {"Sophia", "Sophie"},
                           {"Grace", "Gracie"},
                           {"Freya", ""},
                           {"Evie", ""},
                           {"Ella", ""},
                           {"Charlotte", "Lottie|Charlie"},
                           {"Emily", "Em|Emmy"},
                           {"Poppy", ""},
                           {"Jessica", "Jess|Jessie"},
                           {"Elizabeth", "Liz|Beth|Lizzie"},
                           {"Katherine", "Kate|Katie|Kathryn"},
                           {"Rebecca", "Becky|Becca"},
                           {"Abigail", "Abi|Abby"},
                           {"Victoria", "Tori|Vicky"},
                           {"Samantha", "Sam|Sammy"},
                           {"Zoë", "Zoey"},
                           {"Chloë", ""},
                           {"Élodie", ""},
                           {"Renée", ""},
                           {"Noémie", ""},
                           {"Siân", ""},
                           {"Aoife", ""},
                           {"Niamh", ""},
                           {"Aisha", "Ayesha|Aysha"},
                           {"Fatima", "Fatimah"},
                           {"Maryam", "Mariam"},
                           {"Zainab", "Zaynab"},
                           {"Amira", "Ameera"},
                           {"Hannah", "Hanna"},
                           {"Leah", "Lea"},
                           {"Chantelle", ""},
                           {"Precious", ""},
                           {"Blessing", ""},
                           {"Oluwaseun", "Seun"},
                           {"Priya", ""},
                           {"Anaya", ""},
                           {"Maja", "Maya"},
                           {"Zuzanna", "Zuza"},
                           {"Megan", "Meg"},
                           {"Alexandra", "Alex|Lexi"},
                           {"Margaret", "Maggie|Meg"},
                           {"Jasmine", "Jas|Jazz"},
                           {"Nadia", ""},
                           {"Khadija", "Khadijah"},
                           {"Lucía", "Lucy"},
                           {"Roxanne", "Roxy"},
                           {"Jennifer", "Jen|Jenny"},
                           {"Natalia", "Natalie|Tasha"},
                           {"Gabriella", "Gabby"},
                           {"Eleanor", "Ellie|Nell"},
                           {"Harriet", "Hattie"}};

const Forename kBoys[] = {{"Thomas", "Tom|Tommy"},
                          {"William", "Will|Bill|Billy"},
                          {"Alexander", "Alex|Xander"},
                          {"Mohammed", "Muhammad|Mohammad|Mohamed"},
                          {"Oliver", "Ollie|Olly"},
                          {"George", ""},
                          {"Noah", ""},
                          {"Arthur", "Art"},
                          {"Leo", ""},
                          {"Oscar", ""},
                          {"Harry", ""},
                          {"Jack", ""},
                          {"Jacob", "Jake"},
                          {"Freddie", "Freddy"},
                          {"Alfie", ""},
                          {"Theodore", "Theo|Ted"},
                          {"Joshua", "Josh"},
                          {"James", "Jim|Jimmy|Jamie"},
                          {"Daniel", "Dan|Danny"},
                          {"Samuel", "Sam|Sammy"},
                          {"Benjamin", "Ben|Benji"},
                          {"Matthew", "Matt"},
                          {"Joseph", "Joe|Joey"},
                          {"Christopher", "Chris"},
                          {"Nicholas", "Nick|Nicky"},
                          {"Jonathan", "Jon|Jonny"},
                          {"Edward", "Ed|Eddie|Ted"},
                          {"Zachary", "Zach|Zak"},
                          {"Gabriel", "Gabe"},
                          {"Michael", "Mike|Mikey"},
                          {"Anthony", "Tony|Ant"},
                          {"Ibrahim", ""},
                          {"Yusuf", "Yousef|Youssef"},
                          {"Omar", ""},
                          {"Ali", ""},
                          {"Adam", ""},
                          {"Hamza", ""},
                          {"Ayaan", "Ayan"},
                          {"Arjun", ""},
                          {"Kacper", ""},
                          {"Jakub", "Kuba"},
                          {"Filip", "Phillip"},
                          {"Dawid", "David"},
                          {"Kwame", ""},
                          {"Chidi", ""},
                          {"Oluwatobi", "Tobi"},
                          {"Emmanuel", "Manny"},
                          {"José", ""},
                          {"André", ""},
                          {"Seán", "Shaun"},
                          {"Jérôme", ""},
                          {"Rhys", ""},
                          {"Dylan", ""},
                          {"Cian", "Kian"},
                          {"Oisín", ""},
                          {"Reuben", "Ruben"},
                          {"Callum", "Cal"},
                          {"Kai", ""},
                          {"Tyler", ""},
                          {"Liam", ""}};

const char* const kSurnames[] = {
    "Smith",    "Jones",        "Williams",  "Taylor",   "Brown",     "Davies",    "Evans",
    "Wilson",   "Thomas",       "Johnson",   "Roberts",  "Walker",    "Wright",    "Robinson",
    "Thompson", "White",        "Hughes",    "Edwards",  "Green",     "Hall",      "Wood",
    "Harris",   "Lewis",        "Martin",    "Jackson",  "Clarke",    "Turner",    "Hill",
    "Scott",    "Cooper",       "Morris",    "Ward",     "Moore",     "King",      "Watson",
    "Baker",    "Harrison",     "Morgan",    "Patel",    "Young",     "Allen",     "Mitchell",
    "James",    "Anderson",     "Phillips",  "Lee",      "Bell",      "Parker",    "Davis",
    "Khan",     "Ali",          "Hussain",   "Begum",    "Ahmed",     "Shah",      "Singh",
    "Kaur",     "Iqbal",        "Rahman",    "Akhtar",   "Mahmood",   "Nowak",     "Kowalski",
    "Okafor",   "Adeyemi",      "Mensah",    "Okonkwo",  "Boateng",   "Nguyen",    "Chen",
    "Wang",     "O'Brien",      "O'Connor",  "McDonald", "MacLeod",   "Murphy",    "Kelly",
    "Byrne",    "Doyle",        "Müller",    "Núñez",    "Gonçalves", "Fernández", "Da Silva",
    "Le Roux",  "Van der Berg", "García",    "López",    "Rossi",     "Russo",     "Popescu",
    "Horvath",  "Petrov",       "Yilmaz",    "Demir",    "Öztürk",    "Brontë",    "Haddad",
    "Mansour",  "Abdi",         "Farah",     "Osman",    "Hassan",    "Mohamud",   "Kamara",
    "Sesay",    "Bangura",      "Campbell",  "Stewart",  "Reid",      "Murray",    "Fraser",
    "Hamilton", "Graham",       "Henderson", "Ross",     "Price",     "Bennett",   "Griffiths",
    "Lloyd",    "Powell",       "Jenkins",   "Rees",     "Owen",      "Pugh",      "Vaughan",
    "Fletcher", "Shaw",         "Holmes",    "Rogers",   "Stevens",   "Gray",      "Marshall",
    "Cox",      "Richardson",   "Chapman",   "Webb",     "Mills",     "Hunt",      "Palmer",
    "Ellis",    "Barker",       "Knight",    "Butler",   "Matthews",  "Dixon",     "Fox",
    "Lawrence"};

template <class T, std::size_t N>
constexpr int count_of(const T (&)[N]) {
  return static_cast<int>(N);
}

std::vector<std::string_view> split_variants(const char* variants) {
  std::vector<std::string_view> out;
  std::string_view v(variants);
  while (!v.empty()) {
    const auto bar = v.find('|');
    out.push_back(v.substr(0, bar));
    if (bar == std::string_view::npos)
      break;
    v.remove_prefix(bar + 1);
  }
  return out;
}

// Latin-1 supplement letters (U+00C0..U+00FF, UTF-8 0xC3 0x80..0xBF) and their unaccented base;
// '-' where there is none (Æ, Ð, ×, Ø, Þ, ß, ...), which are left alone.
constexpr char kLatin1Base[] = "AAAAAA-CEEEEIIII-NOOOOO--UUUUY--aaaaaa-ceeeeiiii-nooooo--uuuuy-y";
static_assert(sizeof kLatin1Base == 65);

bool has_accent(std::string_view s) {
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const auto d = static_cast<unsigned char>(s[i + 1]);
    if (c == 0xC3 && d >= 0x80 && d <= 0xBF && kLatin1Base[d - 0x80] != '-')
      return true;
  }
  return false;
}

std::string strip_accents(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {
      const auto d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0x80 && d <= 0xBF && kLatin1Base[d - 0x80] != '-') {
        out += kLatin1Base[d - 0x80];
        ++i;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// Upper or lower case for ASCII and the Latin-1 letters above (ÉLODIE); other bytes unchanged.
std::string change_case(std::string_view s, bool upper) {
  std::string out(s);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto c = static_cast<unsigned char>(out[i]);
    if (c < 0x80) {
      if (upper && c >= 'a' && c <= 'z')
        out[i] = static_cast<char>(c - 32);
      if (!upper && c >= 'A' && c <= 'Z')
        out[i] = static_cast<char>(c + 32);
    } else if (c == 0xC3 && i + 1 < out.size()) {
      const auto d = static_cast<unsigned char>(out[i + 1]);
      const int k = d - 0x80;
      if (upper && k >= 0x20 && k <= 0x3E && k != 0x37)
        out[i + 1] = static_cast<char>(d - 0x20);
      if (!upper && k >= 0x00 && k <= 0x1E && k != 0x17)
        out[i + 1] = static_cast<char>(d + 0x20);
      ++i;
    }
  }
  return out;
}

bool ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// One letter substituted, or two adjacent letters transposed (ASCII letters only, so UTF-8 stays
// valid). Returns the input unchanged when it has no room for a typo.
std::string typo(Rng& r, const std::string& s) {
  std::vector<int> letters, pairs;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!ascii_letter(s[i]))
      continue;
    letters.push_back(static_cast<int>(i));
    if (i + 1 < s.size() && ascii_letter(s[i + 1]) && (s[i] | 0x20) != (s[i + 1] | 0x20))
      pairs.push_back(static_cast<int>(i));
  }
  std::string out = s;
  const bool transpose = r.chance(0.5);
  if (transpose && !pairs.empty()) {
    const int i = pairs[r.range(0, static_cast<int>(pairs.size()) - 1)];
    const bool upper_first = out[i] >= 'A' && out[i] <= 'Z';
    std::swap(out[i], out[i + 1]);
    // Keep the capital where it was: "Tohmas", not "hTomas".
    if (upper_first) {
      out[i] = static_cast<char>(out[i] & ~0x20);
      out[i + 1] = static_cast<char>(out[i + 1] | 0x20);
    }
    return out;
  }
  if (letters.size() < 3)
    return out;
  const int i = letters[r.range(1, static_cast<int>(letters.size()) - 1)];  // keep the initial
  const char lower = static_cast<char>(out[i] | 0x20);
  char c;
  do {
    c = static_cast<char>('a' + r.range(0, 25));
  } while (c == lower);
  out[i] = (out[i] >= 'A' && out[i] <= 'Z') ? static_cast<char>(c & ~0x20) : c;
  return out;
}

// ----------------------------------------------------------------------------------------------
// One child's pathway.

struct EntryPoint {
  const char* code;
  int agency;  // -1: told to CSC directly
  int weight;
};

constexpr EntryPoint kEntryPoints[] = {
    {"school", SCHOOL, 24}, {"police", POLICE, 17},    {"family", -1, 13}, {"gp", GP, 8},
    {"ed", ED, 7},          {"health_visitor", HV, 6}, {"self", -1, 5},    {"vcs", VCS, 5},
    {"early_help", EH, 5},  {"camhs", CAMHS, 4},       {"sarc", SARC, 2},  {"other", -1, 4}};
constexpr int kEntrySchool = 0;
constexpr int kEntryFamily = 2;
constexpr int kEntryGp = 3;
constexpr int kEntryHealthVisitor = 5;
constexpr int kEntrySelf = 6;
constexpr int kEntryCamhs = 9;
static_assert(std::string_view(kEntryPoints[kEntrySchool].code) == "school" &&
              std::string_view(kEntryPoints[kEntryFamily].code) == "family" &&
              std::string_view(kEntryPoints[kEntryGp].code) == "gp" &&
              std::string_view(kEntryPoints[kEntryHealthVisitor].code) == "health_visitor" &&
              std::string_view(kEntryPoints[kEntrySelf].code) == "self" &&
              std::string_view(kEntryPoints[kEntryCamhs].code) == "camhs");

enum Decision : int { kS47, kAssessment, kEarlyHelp, kNfa, kDecisionCount };
const char* const kDecisionCodes[kDecisionCount] = {"s47", "assessment", "early_help", "nfa"};

const char* const kSexualAbuseFactors[] = {"19C", "19C", "19C", "19B", "19B", "19C;11A", "19B;11A"};
const char* const kOtherFactors[] = {"3A", "4B", "1B;3A", "2B", "4A"};
const char* const kOtherCategories[] = {"NEG", "PHY", "EMO"};

struct Event {
  std::uint8_t agency = 0;
  T type = T::contact;
  Date date;
  int relates_to = -1;  // index into the child's events (same agency)
  int to_agency = -1;
  unsigned participants = 0;  // agency bits
  const char* to_service = nullptr;
  const char* outcome = nullptr;
  const char* category = nullptr;
  const char* entry_point = nullptr;
};

struct InjectedGap {
  int rule;
  std::vector<int> evidence;  // event indices, in the order the rule cites them
};

struct ChildPlan {
  int age = 0;
  int entry = 0;  // index into kEntryPoints
  bool csa = true;
};

int service_agency(std::string_view service) {
  if (service == "sarc")
    return SARC;
  if (service == "camhs")
    return CAMHS;
  return VCS;  // csa_counselling, isva
}

// Lays out one child's events from its streams; the same streams and concern date give the same
// events. Not thread-safe; reused across children.
class ChildLayout {
 public:
  ChildLayout(const WorkingDays& wd, const SynthGapRates& rates) : wd_(wd), rates_(rates) {}

  void run(const ChildPlan& plan, std::uint64_t seed, std::uint64_t child, Date concern);

  std::vector<Event> events;
  std::vector<InjectedGap> gaps;
  std::array<int, kRuleCount> eligible{};
  int decision = kNfa;

  Date last() const {
    Date d = events.front().date;
    for (const Event& e : events)
      d = std::max(d, e.date);
    return d;
  }

 private:
  int add(int agency, T type, Date date, int relates_to = -1) {
    Event e;
    e.agency = static_cast<std::uint8_t>(agency);
    e.type = type;
    e.date = date;
    e.relates_to = relates_to;
    events.push_back(e);
    return static_cast<int>(events.size()) - 1;
  }
  Date date(int i) const { return events[static_cast<std::size_t>(i)].date; }
  Event& at(int i) { return events[static_cast<std::size_t>(i)]; }
  void gap(int rule, std::vector<int> evidence) { gaps.push_back({rule, std::move(evidence)}); }
  bool inject(Rng& r, int rule) {
    ++eligible[rule];
    return r.chance(rate_of(rates_, rule));
  }

  void police_investigation(Rng& r, const ChildPlan& plan, Date base, int& report, int& crime);
  void specialist_support(Rng& r, int referrer, int relates_to, Date from, bool repeated);
  void duplicate_referral(Rng& r, const ChildPlan& plan);
  void share_outcomes(Rng& r);

  const WorkingDays& wd_;
  const SynthGapRates& rates_;
  int decision_event_ = -1;
  std::vector<int> account_;    // account-taking events so far
  std::vector<int> referrals_;  // specialist referrals
};

void ChildLayout::run(const ChildPlan& plan, std::uint64_t seed, std::uint64_t child,
                      Date concern) {
  events.clear();
  gaps.clear();
  eligible.fill(0);
  account_.clear();
  referrals_.clear();
  Rng r(derive(seed, kPlanStream, child));
  const Date c = concern;
  const EntryPoint& entry = kEntryPoints[plan.entry];
  const int referrer = entry.agency;

  // 1. The concern, and the referral to CSC (received the same day: the contact).
  int report = -1, crime = -1, origin = -1;
  Date received;
  bool police = false;
  Date police_base;
  if (referrer == POLICE) {
    report = origin = add(POLICE, T::police_report, c);
    at(report).entry_point = entry.code;
    crime = add(POLICE, T::crime_recorded, c.plus_days(r.range(0, 1)), report);
    received = wd_.on_or_after(c.plus_days(r.range(0, 1)));
    police = true;
    police_base = c;
  } else if (referrer >= 0) {
    origin = add(referrer, T::concern_identified, c);
    at(origin).entry_point = entry.code;
    received = wd_.add(wd_.on_or_after(c), r.range(0, 1));
  } else {
    received = wd_.on_or_after(c);
  }
  if (referrer >= 0) {
    const int referral = add(referrer, T::referral, received, origin);
    at(referral).to_agency = CSC;
    at(referral).entry_point = entry.code;
  }
  const int contact = add(CSC, T::contact, received);
  at(contact).entry_point = entry.code;

  // 2. The decision within one working day (or late), fed back to the referrer.
  decision = r.weighted({40, 25, 17, 18});
  const bool decision_late = inject(r, kReferralDecisionLate);
  const Date decided = wd_.add(received, decision_late ? r.range(2, 6) : r.range(0, 1));
  const int dec = decision_event_ = add(CSC, T::referral_decision, decided, contact);
  at(dec).outcome = kDecisionCodes[decision];
  if (decision_late)
    gap(kReferralDecisionLate, {contact, dec});
  if (referrer >= 0) {
    const int fb = add(CSC, T::information_shared, wd_.add(decided, r.range(0, 1)), dec);
    at(fb).to_agency = referrer;
  }
  // Children of four and over with a sexual-abuse concern are offered specialist support (unless
  // the decision is nfa); they are the ones eligible for repeated_account.
  const bool support = plan.csa && decision != kNfa && plan.age >= 4;
  const bool repeated = support && inject(r, kRepeatedAccount);

  const char* factors = plan.csa
                            ? kSexualAbuseFactors[r.range(0, count_of(kSexualAbuseFactors) - 1)]
                            : kOtherFactors[r.range(0, count_of(kOtherFactors) - 1)];
  const char* cp_category =
      plan.csa ? "SAB" : kOtherCategories[r.range(0, count_of(kOtherCategories) - 1)];

  // 3. The CSC pathway.
  int support_relates = dec;
  Date support_from = decided;
  Date csc_until = decided;  // CSC closes the case some days after this
  bool csc_open = true;
  switch (decision) {
    case kNfa: {
      add(CSC, T::case_closed, wd_.add(decided, r.range(0, 2)), dec);
      csc_open = false;
      break;
    }
    case kEarlyHelp: {
      const int closed = add(CSC, T::case_closed, wd_.add(decided, r.range(0, 2)), dec);
      at(closed).outcome = "early_help";
      csc_open = false;
      const int eha = add(EH, T::early_help_assessment, wd_.add(decided, r.range(3, 15)));
      at(eha).category = factors;
      account_.push_back(eha);
      support_relates = eha;
      support_from = date(eha);
      add(EH, T::case_closed, wd_.on_or_after(date(eha).plus_days(r.range(60, 200))), eha);
      break;
    }
    case kAssessment: {
      const int start = add(CSC, T::assessment_start, wd_.add(decided, r.range(0, 3)), dec);
      account_.push_back(start);
      const bool police_joins = r.chance(0.15);
      if (!police && police_joins) {
        police = true;
        police_base = decided;
      }
      const bool late = inject(r, kAssessmentLate);
      const int lo = wd_.between(received, date(start)) + 5;
      const int complete = add(CSC, T::assessment_complete,
                               wd_.add(received, late ? r.range(47, 70) : r.range(lo, 45)), start);
      const bool cin = r.chance(0.45);
      at(complete).outcome = cin ? "cin_plan" : "nfa";
      at(complete).category = factors;
      if (late)
        gap(kAssessmentLate, {contact, complete});
      csc_until = date(complete);
      support_relates = complete;
      support_from = date(complete);
      const int cin_days = r.range(1, 10), cin_length = r.range(90, 270);
      if (cin) {
        const int plan_start =
            add(CSC, T::cin_plan_start, wd_.add(date(complete), cin_days), complete);
        at(plan_start).category = factors;
        csc_until = date(plan_start).plus_days(cin_length);
      }
      break;
    }
    case kS47: {
      const Date held = wd_.add(decided, r.range(0, 1));
      const int strategy = add(CSC, T::strategy_discussion, held, dec);
      at(strategy).outcome = "s47";
      // Who attends: CSC, police and health at least (DOMAIN.md section 3), as appropriate others.
      unsigned who = bit(CSC) | bit(POLICE);
      const bool gp = r.chance(0.7);
      const bool hv = r.chance(0.6) && plan.age < 5;
      if (gp)
        who |= bit(GP);
      if (hv)
        who |= bit(HV);
      if (referrer == ED || referrer == GP || referrer == HV)
        who |= bit(referrer);
      if (!(who & kHealthAgencies))
        who |= bit(GP);
      const bool school = r.chance(0.6) && plan.age >= 4;
      if (school || referrer == SCHOOL)
        who |= bit(SCHOOL);
      const bool partner = r.chance(0.5);
      if (partner && (referrer == VCS || referrer == EH))
        who |= bit(referrer);
      const unsigned full = who;
      const bool missing = inject(r, kStrategyWithoutPartner);
      const bool drop_police = r.chance(0.3);
      if (missing) {
        who &= drop_police ? ~bit(POLICE) : ~kHealthAgencies;
        gap(kStrategyWithoutPartner, {strategy});
      }
      at(strategy).participants = who;

      const int s47 = add(CSC, T::s47_start, held, strategy);
      at(s47).category = factors;
      const int start = add(CSC, T::assessment_start, wd_.add(held, r.range(0, 1)), s47);
      account_.push_back(start);
      const bool police_joins = r.chance(0.75);
      if (!police && police_joins) {
        police = true;
        police_base = held;
      }

      // Medical: considered for every child with a sexual-abuse factor (or the gap).
      if (plan.csa) {
        const bool no_medical = inject(r, kNoMedicalConsidered);
        const bool late_medical = r.chance(0.5);
        const int offset = no_medical ? r.range(50, 100) : r.range(0, 28);
        const int referral_lead = r.range(1, 5);
        const int share_days = r.range(0, 1);
        if (!no_medical || late_medical) {
          const Date examined = held.plus_days(offset);
          const int referral = add(CSC, T::specialist_referral,
                                   no_medical ? examined.plus_days(-referral_lead) : held, s47);
          at(referral).to_service = "sarc";
          at(referral).to_agency = SARC;
          referrals_.push_back(referral);
          const int medical = add(SARC, T::medical_assessment, examined);
          const int shared = add(SARC, T::information_shared,
                                 wd_.add(wd_.on_or_after(examined), share_days), medical);
          at(shared).to_agency = CSC;
        }
        if (no_medical)
          gap(kNoMedicalConsidered, {s47});
      }

      // Outcome of the enquiries, then the assessment completes.
      const int outcome_days = r.range(5, 12);
      const int outcome = add(CSC, T::s47_outcome, wd_.add(held, outcome_days), s47);
      const int kind = r.weighted({40, 30, 30});  // icpc, cin_plan, not_substantiated
      at(outcome).outcome = kind == 0 ? "icpc" : kind == 1 ? "cin_plan" : "not_substantiated";
      const bool assessment_late = inject(r, kAssessmentLate);
      const int lo =
          std::max(wd_.between(received, date(start)) + 5, wd_.between(received, date(outcome)));
      const int complete =
          add(CSC, T::assessment_complete,
              wd_.add(received, assessment_late ? r.range(47, 70) : r.range(lo, 45)), start);
      at(complete).category = factors;
      at(complete).outcome = kind == 0 ? "cp_plan" : kind == 1 ? "cin_plan" : "nfa";
      if (assessment_late)
        gap(kAssessmentLate, {contact, complete});
      csc_until = std::max(date(outcome), date(complete));
      support_relates = outcome;
      support_from = date(outcome);

      if (kind == 0) {
        // Initial conference within 15 working days of the strategy discussion.
        const bool icpc_late = inject(r, kIcpcLate);
        const int held_day = icpc_late ? r.range(17, 30) : r.range(outcome_days + 1, 15);
        const int icpc = add(CSC, T::icpc, wd_.add(held, held_day), outcome);
        at(icpc).participants = full | (plan.age >= 4 ? bit(SCHOOL) : 0u);
        at(icpc).outcome = "cp_plan";
        if (icpc_late)
          gap(kIcpcLate, {strategy, icpc});
        const int cp = add(CSC, T::cp_plan_start, date(icpc), icpc);
        at(cp).category = cp_category;

        // First core group within 10 working days.
        const bool cg_late = inject(r, kCoreGroupLate);
        const int first = add(CSC, T::core_group,
                              wd_.add(date(icpc), cg_late ? r.range(12, 25) : r.range(2, 10)), cp);
        const unsigned core = bit(CSC) | (full & (kHealthAgencies | bit(SCHOOL)));
        at(first).participants = core;
        if (cg_late)
          gap(kCoreGroupLate, {icpc, first});

        // Reviews: first within 3 months of the ICPC, later ones within 6 months of the last.
        const int reviews = 1 + r.weighted({35, 45, 20});
        const bool review_late = inject(r, kReviewLate);
        const int late_index = r.range(0, reviews - 1);
        int prev = icpc;
        for (int i = 0; i < reviews; ++i) {
          const Date deadline = date(prev).plus_months(i == 0 ? 3 : 6);
          const int days = r.range(review_late && i == late_index ? 3 : 0,
                                   review_late && i == late_index ? 45 : (i == 0 ? 25 : 40));
          const Date when = review_late && i == late_index
                                ? wd_.on_or_after(deadline.plus_days(days))
                                : wd_.on_or_before(deadline.plus_days(-days));
          const int review = add(CSC, T::review_conference, when, prev);
          at(review).participants = at(icpc).participants;
          at(review).outcome = i + 1 == reviews ? "plan_ended" : "plan_continues";
          if (review_late && i == late_index)
            gap(kReviewLate, {prev, review});
          prev = review;
        }
        // Core groups every four to six weeks until the plan ends (own stream: how many depends
        // on dates, and the main stream's draws must not).
        Rng cadence(derive(seed, kCadenceStream, child));
        for (Date d = wd_.add(date(first), cadence.range(20, 30)); d < date(prev).plus_days(-5);
             d = wd_.add(d, cadence.range(20, 30))) {
          at(add(CSC, T::core_group, d, cp)).participants = core;
        }
        add(CSC, T::cp_plan_end, date(prev), cp);
        csc_until = date(prev);
      } else if (kind == 1) {
        const int cin_days = r.range(1, 10), cin_length = r.range(90, 270);
        const int plan_start =
            add(CSC, T::cin_plan_start, wd_.add(date(outcome), cin_days), outcome);
        at(plan_start).category = factors;
        csc_until = date(plan_start).plus_days(cin_length);
      }
      break;
    }
    default:
      break;
  }
  const int close_days = r.range(20, 60);  // after any referral CSC makes on the way out
  if (csc_open) {
    for (const Event& e : events) {
      if (e.agency == CSC)
        csc_until = std::max(csc_until, e.date);  // e.g. a late SARC referral
    }
    add(CSC, T::case_closed, wd_.on_or_after(csc_until.plus_days(close_days)), dec);
  }

  // 4. Police investigation, specialist support, duplicate referrals, and sharing outcomes.
  if (police)
    police_investigation(r, plan, police_base, report, crime);
  if (support)
    specialist_support(r, decision == kEarlyHelp ? EH : CSC, support_relates, support_from,
                       repeated);
  duplicate_referral(r, plan);
  Rng share(derive(seed, kShareStream, child));
  share_outcomes(share);
}

void ChildLayout::police_investigation(Rng& r, const ChildPlan& plan, Date base, int& report,
                                       int& crime) {
  if (report < 0) {
    report = add(POLICE, T::police_report, base);
    crime = add(POLICE, T::crime_recorded, base.plus_days(r.range(0, 1)), report);
  }
  const bool abe_held = r.chance(plan.csa ? 0.7 : 0.4) && plan.age >= 4;
  if (abe_held) {
    const Date interviewed = wd_.add(wd_.on_or_after(base), r.range(2, 10));
    const int abe = add(POLICE, T::abe_interview, interviewed, crime);
    account_.push_back(abe);
    const bool missing = inject(r, kAbeNotShared);
    const bool late = r.chance(0.5);
    const int days = missing ? r.range(3, 8) : r.range(0, 1);
    if (!missing || late) {
      const int shared = add(POLICE, T::information_shared, wd_.add(interviewed, days), abe);
      at(shared).to_agency = CSC;
    }
    if (missing)
      gap(kAbeNotShared, {abe});
    const bool isva = r.chance(0.45);
    const int isva_days = r.range(0, 5);
    if (isva) {
      const int referral =
          add(POLICE, T::specialist_referral, wd_.add(interviewed, isva_days), abe);
      at(referral).to_service = "isva";
      at(referral).to_agency = VCS;
      referrals_.push_back(referral);
    }
  }
  const Date decided = wd_.on_or_after(base.plus_days(r.range(30, 200)));
  const bool bare_nfa = inject(r, kNfaWording);
  static const char* const kOutcomes[] = {"charged", "nfpa_at_this_time", "oc14", "oc15", "oc16",
                                          "caution"};
  const int which = r.weighted({20, 40, 10, 15, 10, 5});
  const int outcome = add(POLICE, T::police_outcome, decided, crime);
  at(outcome).outcome = bare_nfa ? "nfa" : kOutcomes[which];
  if (bare_nfa)
    gap(kNfaWording, {outcome});
}

// Referrals to CAMHS or CSA counselling and the assessments that follow. Without the
// repeated_account gap, a child never has three account-taking events within 180 days: with two
// already (an assessment and an ABE interview), the specialist assessment comes at least 200 days
// after both. With the gap, exactly three fall within 160 days.
void ChildLayout::specialist_support(Rng& r, int referrer, int relates_to, Date from,
                                     bool repeated) {
  Date first = date(account_.front()), last = first;
  for (int i : account_) {
    first = std::min(first, date(i));
    last = std::max(last, date(i));
  }
  const int n = repeated ? 3 - static_cast<int>(account_.size())
                         : (r.chance(referrer == EH ? 0.35 : 0.55) ? 1 : 0);
  const bool camhs_first = r.chance(0.4);
  std::vector<const char*> services;
  if (n >= 1)
    services.push_back(camhs_first ? "camhs" : "csa_counselling");
  if (n >= 2)
    services.push_back(camhs_first ? "csa_counselling" : "camhs");
  std::vector<int> extra;
  for (const char* service : services) {
    const int lead = r.range(repeated ? 0 : 1, repeated ? 5 : 10);
    const Date referred = repeated ? wd_.add(wd_.on_or_after(last), lead) : wd_.add(from, lead);
    // Follows from the outcome or assessment, or (an early referral, with the repeated_account gap)
    // from the referral decision: relates_to never names a later event.
    const int referral = add(referrer, T::specialist_referral, referred,
                             date(relates_to) <= referred ? relates_to : decision_event_);
    at(referral).to_service = service;
    at(referral).to_agency = service_agency(service);
    referrals_.push_back(referral);
    const bool assessed = r.chance(0.85) || repeated;
    const int wait = r.range(repeated ? 5 : 20, repeated ? 60 : 120);
    const int cap = r.range(120, 155);
    const int floor = r.range(200, 240);
    if (!assessed)
      continue;
    Date when = referred.plus_days(wait);
    if (repeated) {
      when = std::min(when, first.plus_days(cap));
      for (int e : extra) {
        if (date(e) == when)
          when = when.plus_days(1);
      }
    } else if (account_.size() == 2) {
      when = std::max(when, last.plus_days(floor));
    }
    const int agency = service_agency(service);
    const int assessment = add(agency, T::specialist_assessment, when);
    extra.push_back(assessment);
    const bool therapy = r.chance(0.8);
    const int therapy_days = r.range(10, 60);
    const bool closes = r.chance(0.5);
    const int closed_days = r.range(90, 240);
    if (therapy) {
      const int support =
          add(agency, T::therapeutic_support_start, when.plus_days(therapy_days), assessment);
      if (closes)
        add(agency, T::case_closed, date(support).plus_days(closed_days), support);
    }
  }
  if (repeated) {
    std::vector<int> evidence = account_;
    evidence.insert(evidence.end(), extra.begin(), extra.end());
    if (evidence.size() != 3)
      throw std::logic_error("synth: repeated_account needs exactly three accounts");
    gap(kRepeatedAccount, evidence);
  }
  account_.insert(account_.end(), extra.begin(), extra.end());
}

// A second agency refers the child to a service another agency already referred it to, 1 to 75
// days later (then the next working day: at most 80 days). Without the gap, each service is
// referred to at most once per child.
void ChildLayout::duplicate_referral(Rng& r, const ChildPlan& plan) {
  if (referrals_.empty())
    return;
  if (!inject(r, kDuplicateReferral))
    return;
  const int original = referrals_[r.range(0, static_cast<int>(referrals_.size()) - 1)];
  const std::string_view service = at(original).to_service;
  std::vector<int> candidates;
  if (service == "sarc")
    candidates = {POLICE, GP, ED};
  else if (service == "camhs")
    candidates = {GP, SCHOOL, ED};
  else if (service == "csa_counselling")
    candidates = {SCHOOL, GP, EH};
  else
    candidates = {CSC, SCHOOL};
  std::erase_if(candidates,
                [&](int a) { return a == at(original).agency || (a == SCHOOL && plan.age < 4); });
  const int by =
      candidates[static_cast<std::size_t>(r.range(0, static_cast<int>(candidates.size()) - 1))];
  const Date when = wd_.on_or_after(date(original).plus_days(r.range(1, 75)));
  const int again = add(by, T::specialist_referral, when);
  at(again).to_service = at(original).to_service;
  at(again).to_agency = at(original).to_agency;
  gap(kDuplicateReferral, {original, again});
}

// Each s47_outcome and police_outcome is shared within 3 working days with every other agency that
// recorded an event for the child, or was named as recipient or participant, in the 120 days up
// to the outcome: a superset of the agencies "involved in the previous 90 days", so sharing is
// complete under any reading of that window. The gap leaves out (or shares after 7 to 20 working
// days with) one agency that recorded a non-sharing event 1 to 60 days before the outcome, which
// is involved under any reading.
void ChildLayout::share_outcomes(Rng& r) {
  std::vector<int> outcomes;
  for (int i = 0; i < static_cast<int>(events.size()); ++i) {
    if (events[i].type == T::s47_outcome || events[i].type == T::police_outcome)
      outcomes.push_back(i);
  }
  if (outcomes.empty())
    return;
  std::sort(outcomes.begin(), outcomes.end(),
            [&](int a, int b) { return date(a) != date(b) ? date(a) < date(b) : a < b; });
  std::vector<std::pair<int, unsigned>> candidates;  // outcome, agencies clearly involved
  for (int o : outcomes) {
    unsigned involved = 0;
    for (const Event& e : events) {
      if (e.agency != at(o).agency && e.type != T::information_shared &&
          e.date >= date(o).plus_days(-60) && e.date <= date(o).plus_days(-1))
        involved |= bit(e.agency);
    }
    if (involved)
      candidates.emplace_back(o, involved);
  }
  int target = -1, left_out = -1;
  bool late = false;
  if (!candidates.empty() && inject(r, kOutcomeNotShared)) {
    const auto& [o, involved] =
        candidates[static_cast<std::size_t>(r.range(0, static_cast<int>(candidates.size()) - 1))];
    std::vector<int> agencies;
    for (int a = 0; a < kAgencyCount; ++a) {
      if (involved & bit(a))
        agencies.push_back(a);
    }
    target = o;
    left_out =
        agencies[static_cast<std::size_t>(r.range(0, static_cast<int>(agencies.size()) - 1))];
    late = r.chance(0.4);
  }
  for (int o : outcomes) {
    const int from = at(o).agency;
    const Date d = date(o);
    unsigned recipients = 0;
    for (const Event& e : events) {
      if (e.date < d.plus_days(-120) || e.date > d)
        continue;
      recipients |= bit(e.agency) | e.participants;
      if (e.to_agency >= 0)
        recipients |= bit(e.to_agency);
    }
    recipients &= ~bit(from);
    for (int a = 0; a < kAgencyCount; ++a) {
      if (!(recipients & bit(a)))
        continue;
      const int days = r.range(0, 3), late_days = r.range(7, 20);
      if (o == target && a == left_out && !late)
        continue;
      const int shared = add(from, T::information_shared,
                             wd_.add(d, o == target && a == left_out ? late_days : days), o);
      at(shared).to_agency = a;
    }
  }
  if (target >= 0)
    gap(kOutcomeNotShared, {target});
}

// ----------------------------------------------------------------------------------------------
// Notes: short, invented, sometimes with commas, quotes or a line break so CSV quoting is used.

const char* note_for(T type, int pick, bool multiline) {
  if (multiline) {
    static const char* const kMultiline[] = {
        "Discussed with safeguarding lead.\nAgreed to refer the same day.",
        "Actions:\n1. Share with social worker\n2. Review in two weeks",
        "Parent informed by phone.\nFollow-up letter sent, copy on file."};
    return kMultiline[pick % 3];
  }
  switch (type) {
    case T::concern_identified: {
      static const char* const n[] = {
          "Child disclosed to a member of staff; DSL informed, parents not yet told.",
          "Concern raised after a change in behaviour, \"withdrawn and tearful\" per class "
          "teacher.",
          "Signs and indicators template completed, concerns about an adult known to the family."};
      return n[pick % 3];
    }
    case T::referral:
      return pick % 2 ? "Referral made by phone, followed up in writing the same day."
                      : "Online referral form submitted; referrer available for the strategy "
                        "discussion.";
    case T::contact:
      return pick % 2 ? "Contact logged by MASH; checks requested from police, health and school."
                      : "Contact received, \"urgent\" flag set by duty worker.";
    case T::referral_decision:
      return pick % 2 ? "Threshold discussion held, decision recorded and referrer told."
                      : "Decision made by team manager, rationale on file.";
    case T::strategy_discussion:
      return pick % 2 ? "Agreed: joint investigation, ABE to be arranged, medical considered."
                      : "Strategy discussion by Teams; actions, owners and dates recorded.";
    case T::abe_interview:
      return pick % 2 ? "ABE interview completed, intermediary present."
                      : "Child engaged well; \"wants it to stop\" (child's words).";
    case T::medical_assessment:
      return "Paediatric assessment completed, findings shared with the social worker.";
    case T::police_outcome:
      return pick % 2 ? "Outcome explained to the family, reason for closure recorded."
                      : "File reviewed by DS, decision and reason recorded, partners to be told.";
    case T::information_shared:
      return pick % 2 ? "Shared by secure email, receipt confirmed."
                      : "Shared verbally, then in writing; recipient asked for the full report.";
    case T::core_group:
    case T::review_conference:
    case T::icpc:
      return pick % 2 ? "Plan reviewed, actions updated, \"good engagement\" from the parent."
                      : "Attendance recorded; school report received late, health report on time.";
    default:
      return pick % 2 ? "Recorded by the allocated worker, no further comment."
                      : "See case file, summary on the chronology.";
  }
}

// ----------------------------------------------------------------------------------------------
// Identity: the child as they are, and each agency's record of them.

struct Identity {
  std::string nhs;  // 10 digits
  std::string forename;
  const char* variants = "";
  std::string surname;
  std::string surname_parts[2];  // when double-barrelled
  bool hyphenated = false;
  Date dob;
  char sex = 'F';
  int gp_practice = 0;
  int school = 0;
};

struct View {
  std::string nhs;  // as recorded, or empty
  std::string local_id;
  std::string forename, surname, dob;
  unsigned noise = 0;  // Noise bits applied to every row of this agency
};

int nhs_check_digit(const char* nine) {
  int sum = 0;
  for (int i = 0; i < 9; ++i)
    sum += (nine[i] - '0') * (10 - i);
  const int c = 11 - sum % 11;
  return c == 11 ? 0 : c;  // 10: no valid number
}

char upn_check_letter(const char* twelve) {
  static const char kLetters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
  int sum = 0;
  for (int i = 0; i < 12; ++i)
    sum += (twelve[i] - '0') * (i + 2);
  return kLetters[sum % 23];
}

// ----------------------------------------------------------------------------------------------
// Files.

class File {
 public:
  File(const fs::path& path, const char* mode, std::size_t buffer = 1 << 16) : path_(path) {
    f_ = std::fopen(path.c_str(), mode);
    if (!f_)
      fail();
    std::setvbuf(f_, nullptr, _IOFBF, buffer);
  }
  ~File() {
    if (f_)
      std::fclose(f_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  void write(std::string_view s) {
    if (!s.empty() && std::fwrite(s.data(), 1, s.size(), f_) != s.size())
      fail();
  }
  void close() {
    FILE* f = f_;
    f_ = nullptr;
    if (std::fclose(f) != 0)
      fail();
  }

 private:
  [[noreturn]] void fail() const {
    throw core::Error("cannot write " + path_.string() + ": " + std::strerror(errno));
  }
  fs::path path_;
  FILE* f_ = nullptr;
};

std::string read_whole(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  FILE* f = ec ? nullptr : std::fopen(path.c_str(), "rb");
  if (!f)
    throw core::Error("cannot read " + path.string() + ": " + std::strerror(errno));
  std::string out(static_cast<std::size_t>(size), '\0');
  const std::size_t n = std::fread(out.data(), 1, out.size(), f);
  std::fclose(f);
  if (n != out.size())
    throw core::Error("cannot read " + path.string() + ": short read");
  return out;
}

// Rows spilled to one file per run of event dates (a fortnight, or fewer days for big runs), then
// sorted one file at a time into the agency files. A bucket holds about 40,000 rows, so memory
// stays near 20 MB however many children there are; at most 256 files are open at once.
class DateSpill {
 public:
  DateSpill(fs::path dir, Date start, Date end, int children)
      : dir_(std::move(dir)), start_(start) {
    const std::int64_t range = static_cast<std::int64_t>(end - start) + 1;
    const std::int64_t expected_rows = 18LL * children;
    const std::int64_t fit = range * 40000 / std::max<std::int64_t>(expected_rows, 1);
    bucket_days_ = static_cast<int>(std::max((range + 255) / 256, std::min<std::int64_t>(fit, 14)));
    files_.resize(static_cast<std::size_t>(bucket(end) + 1));
  }

  void add(int agency, Date date, std::string_view id, std::string_view line) {
    auto& f = files_[static_cast<std::size_t>(bucket(date))];
    if (!f)
      f = std::make_unique<File>(path(bucket(date)), "wb", 1 << 15);
    char head[13];
    const std::int32_t days = date.days();
    const auto id_len = static_cast<std::uint32_t>(id.size());
    const auto line_len = static_cast<std::uint32_t>(line.size());
    head[0] = static_cast<char>(agency);
    std::memcpy(head + 1, &days, 4);
    std::memcpy(head + 5, &id_len, 4);
    std::memcpy(head + 9, &line_len, 4);
    f->write(std::string_view(head, sizeof head));
    f->write(id);
    f->write(line);
  }

  // Appends every spilled row to its agency's file, sorted by event date then event id.
  void merge(std::array<std::unique_ptr<File>, kAgencyCount>& out) {
    struct Row {
      int agency;
      std::int32_t days;
      std::string_view id, line;
    };
    std::vector<Row> rows;
    for (std::size_t m = 0; m < files_.size(); ++m) {
      if (!files_[m])
        continue;
      files_[m]->close();
      files_[m].reset();
      const std::string data = read_whole(path(static_cast<int>(m)));
      rows.clear();
      for (std::size_t p = 0; p < data.size();) {
        Row row;
        std::uint32_t id_len, line_len;
        row.agency = static_cast<unsigned char>(data[p]);
        std::memcpy(&row.days, data.data() + p + 1, 4);
        std::memcpy(&id_len, data.data() + p + 5, 4);
        std::memcpy(&line_len, data.data() + p + 9, 4);
        row.id = std::string_view(data).substr(p + 13, id_len);
        row.line = std::string_view(data).substr(p + 13 + id_len, line_len);
        rows.push_back(row);
        p += 13 + id_len + line_len;
      }
      std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        if (a.agency != b.agency)
          return a.agency < b.agency;
        if (a.days != b.days)
          return a.days < b.days;
        return a.id < b.id;
      });
      for (const Row& row : rows)
        out[static_cast<std::size_t>(row.agency)]->write(row.line);
      fs::remove(path(static_cast<int>(m)));
    }
  }

 private:
  int bucket(Date d) const { return (d - start_) / bucket_days_; }
  fs::path path(int b) const { return dir_ / ("rows-" + std::to_string(b) + ".bin"); }

  fs::path dir_;
  Date start_;
  int bucket_days_ = 14;
  std::vector<std::unique_ptr<File>> files_;
};

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string format_rate(double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

const char* const kHeader =
    "agency,event_id,event_type,event_date,nhs_number,local_child_id,forename,surname,dob,sex,"
    "entry_point,to_agency,to_service,participants,outcome,category,relates_to,notes\n";

const char* const kTmpDir = ".synth-tmp";

std::string events_file(int agency) {
  return std::string("events-") + kAgencies[agency].code + ".csv";
}

// DIR may be new, empty, or hold a previous synth's output (which is replaced); nothing else.
void prepare_out_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      throw core::ValidationError("--out " + dir.string() + " exists and is not a directory");
    auto refuse = [&](const fs::path& p) {
      throw core::ValidationError("--out " + dir.string() + " holds " + p.string() +
                                  ", which synth did not write; choose a new or empty directory");
    };
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      bool ours = name == "partnership.json" || name == kTmpDir;
      for (int a = 0; a < kAgencyCount; ++a)
        ours = ours || name == events_file(a);
      if (name == "truth" && entry.is_directory()) {
        for (const auto& t : fs::directory_iterator(entry.path())) {
          const std::string tn = t.path().filename().string();
          if (tn != "events.csv" && tn != "gaps.csv" && tn != "summary.json")
            refuse(fs::path("truth") / tn);
        }
        ours = true;
      }
      if (!ours)
        refuse(name);
    }
  } else {
    fs::create_directories(dir, ec);
    if (ec)
      throw core::Error("cannot create " + dir.string() + ": " + ec.message());
  }
  fs::remove_all(dir / kTmpDir, ec);
  fs::create_directories(dir / kTmpDir, ec);
  if (!ec)
    fs::create_directories(dir / "truth", ec);
  if (ec)
    throw core::Error("cannot create directories in " + dir.string() + ": " + ec.message());
}

void validate(const SynthOptions& o, const core::WorkingDayCalendar& calendar) {
  if (o.children < 1 || o.children > kSynthMaxChildren)
    throw core::ValidationError("--children must be between 1 and " +
                                std::to_string(kSynthMaxChildren));
  if (o.out_dir.empty())
    throw core::ValidationError("--out must name a directory");
  if (o.end - o.start < kSynthMinRangeDays)
    throw core::ValidationError("--end must be at least " + std::to_string(kSynthMinRangeDays) +
                                " days after --start (the longest synthetic pathway takes about "
                                "20 months); got " +
                                o.start.iso() + " to " + o.end.iso());
  if (o.start < calendar.valid_from() || o.end > calendar.valid_to())
    throw core::ValidationError("--start and --end must lie within calendar " + calendar.id() +
                                " (" + calendar.valid_from().iso() + " to " +
                                calendar.valid_to().iso() + ")");
  const SynthNoiseRates& n = o.noise_rates;
  std::vector<double> rates;
  for (int r = 0; r < kRuleCount; ++r)
    rates.push_back(rate_of(o.gap_rates, r));
  for (double v : {n.nickname, n.forename_typo, n.surname_typo, n.hyphen_part, n.hyphen_added,
                   n.accent_dropped, n.upper_case, n.police_upper_case, n.lower_case, n.dob_swapped,
                   n.nhs_spaced, n.extra_spaces, n.forename_missing, n.dob_missing, n.sex_unknown})
    rates.push_back(v);
  for (double v : rates) {
    if (!(v >= 0 && v <= 1))
      throw core::ValidationError("synth rates must be probabilities between 0 and 1");
  }
}

// ----------------------------------------------------------------------------------------------
// The generator: families one at a time, children emitted as they are laid out.

class Generator {
 public:
  Generator(const SynthOptions& o, const core::WorkingDayCalendar& calendar)
      : o_(o),
        wd_(calendar),
        out_(o.out_dir),
        spill_(out_ / kTmpDir, o.start, o.end, o.children),
        nhs_(derive(o.seed, kNhsKey, 0), 1000000),
        truth_events_(out_ / "truth" / "events.csv", "wb"),
        truth_gaps_(out_ / "truth" / "gaps.csv", "wb") {
    for (int a = 0; a < kAgencyCount; ++a) {
      // Local ids: 6 digits where the format is short (N <= 1,000,000), else 7; UPNs use 9.
      const std::uint64_t space = a == SCHOOL                                      ? 1000000000ULL
                                  : (a == CSC || a == SARC || a == VCS || a == EH) ? 1000000ULL
                                                                                   : 10000000ULL;
      local_.emplace_back(derive(o.seed, kLocalIdKey + a, 0), space);
      event_.emplace_back(derive(o.seed, kEventIdKey + a, 0), 100000000ULL);
    }
    for (int i = 0; i < 3; ++i)
      layouts_.emplace_back(wd_, o_.gap_rates);
    truth_events_.write("agency,event_id,child\n");
    truth_gaps_.write("rule,child,event_refs\n");
  }

  SynthSummary run();

 private:
  void family();
  std::string next_nhs();
  std::string event_id(int agency, Date date, const Identity& who);
  std::string local_id(int agency, int child);
  View view(int agency, int child, const Identity& who, Date concern);
  void emit(int child, const ChildLayout& layout, const Identity& who, Date concern);

  const SynthOptions& o_;
  WorkingDays wd_;
  fs::path out_;
  DateSpill spill_;
  Permutation nhs_;
  std::uint64_t nhs_counter_ = 0;
  std::vector<Permutation> local_, event_;
  std::array<std::uint64_t, kAgencyCount> event_counter_{};
  File truth_events_, truth_gaps_;
  std::vector<ChildLayout> layouts_;

  int children_ = 0, families_ = 0;
  std::array<std::int64_t, kAgencyCount> per_agency_{};
  std::array<std::int64_t, kDecisionCount> decisions_{};
  std::array<std::int64_t, kRuleCount> eligible_{}, injected_{};
  std::array<std::int64_t, kNoiseCount> noise_{};
};

std::string Generator::next_nhs() {
  // 999 numbers are never issued to patients; the other six digits come from a keyed permutation
  // of a counter, so numbers are unique without remembering them. About 909,000 of the million
  // have a valid check digit, hence kSynthMaxChildren.
  for (;;) {
    if (nhs_counter_ >= nhs_.size())
      throw core::ValidationError("too many children for the synthetic NHS number range");
    char digits[32];
    std::snprintf(digits, sizeof digits, "999%06llu",
                  static_cast<unsigned long long>(nhs_(nhs_counter_++)));
    const int check = nhs_check_digit(digits);
    if (check == 10 || std::strcmp(digits, "999999999") == 0)
      continue;
    digits[9] = static_cast<char>('0' + check);
    digits[10] = '\0';
    return digits;
  }
}

std::string Generator::event_id(int agency, Date date, const Identity& who) {
  const std::uint64_t counter = event_counter_[static_cast<std::size_t>(agency)]++;
  const auto n = static_cast<unsigned long long>(event_[static_cast<std::size_t>(agency)](counter));
  char buf[48];
  switch (agency) {
    case CSC:
      std::snprintf(buf, sizeof buf, "CSC-%08llu", n);
      break;
    case POLICE:
      std::snprintf(buf, sizeof buf, "PR/%04d/%08llu", date.year(), n);
      break;
    case GP:
      std::snprintf(buf, sizeof buf, "GP%04d-%08llu", who.gp_practice, n);
      break;
    case ED:
      std::snprintf(buf, sizeof buf, "ED%02d-%08llu", date.year() % 100, n);
      break;
    case HV:
      std::snprintf(buf, sizeof buf, "HV-%08llu", n);
      break;
    case SCHOOL:
      std::snprintf(buf, sizeof buf, "SCH%04d/%08llu", who.school, n);
      break;
    case SARC:
      std::snprintf(buf, sizeof buf, "SARC-%04d-%08llu", date.year(), n);
      break;
    case CAMHS:
      std::snprintf(buf, sizeof buf, "CAMHS%08llu", n);
      break;
    case VCS:
      std::snprintf(buf, sizeof buf, "VCS/%08llu", n);
      break;
    default:
      std::snprintf(buf, sizeof buf, "EH-%08llu", n);
      break;
  }
  return buf;
}

std::string Generator::local_id(int agency, int child) {
  const auto n = static_cast<unsigned long long>(
      local_[static_cast<std::size_t>(agency)](static_cast<std::uint64_t>(child)));
  char buf[40];
  switch (agency) {
    case CSC:
      std::snprintf(buf, sizeof buf, "CSC%06llu", n);
      break;
    case POLICE:
      std::snprintf(buf, sizeof buf, "NOM%07llu", n);
      break;
    case GP:
      std::snprintf(buf, sizeof buf, "P%07llu", n);
      break;
    case ED:
      std::snprintf(buf, sizeof buf, "RX%07llu", n);
      break;
    case HV:
      std::snprintf(buf, sizeof buf, "HV%07llu", n);
      break;
    case SCHOOL: {
      // A UPN shape: check letter, a (fictional) local authority number 999, nine digits.
      char digits[32];
      std::snprintf(digits, sizeof digits, "999%09llu", n);
      std::snprintf(buf, sizeof buf, "%c%s", upn_check_letter(digits), digits);
      break;
    }
    case SARC:
      std::snprintf(buf, sizeof buf, "S%06llu", n);
      break;
    case CAMHS:
      std::snprintf(buf, sizeof buf, "CH%07llu", n);
      break;
    case VCS:
      std::snprintf(buf, sizeof buf, "V%06llu", n);
      break;
    default:
      std::snprintf(buf, sizeof buf, "EH%06llu", n);
      break;
  }
  return buf;
}

View Generator::view(int agency, int child, const Identity& who, Date concern) {
  const SynthNoiseRates& n = o_.noise_rates;
  Rng r(derive(o_.seed, kViewStream + static_cast<std::uint64_t>(agency),
               static_cast<std::uint64_t>(child)));
  View v;
  if (r.chance(kAgencies[agency].nhs_recorded)) {
    v.nhs = who.nhs;
    if (r.chance(n.nhs_spaced)) {
      v.nhs = who.nhs.substr(0, 3) + " " + who.nhs.substr(3, 3) + " " + who.nhs.substr(6);
      v.noise |= 1u << kNhsSpaced;
    }
  } else {
    v.noise |= 1u << kNhsMissing;
  }
  if (r.chance(kAgencies[agency].local_id_recorded))
    v.local_id = local_id(agency, child - 1);
  else
    v.noise |= 1u << kLocalIdMissing;

  v.forename = who.forename;
  const auto variants = split_variants(who.variants);
  const double nickname = (agency == POLICE || agency == SCHOOL) ? 2 * n.nickname : n.nickname;
  if (r.chance(nickname) && !variants.empty()) {
    v.forename = std::string(
        variants[static_cast<std::size_t>(r.range(0, static_cast<int>(variants.size()) - 1))]);
    v.noise |= 1u << kNickname;
  }
  if (r.chance(n.forename_typo)) {
    std::string t = typo(r, v.forename);
    if (t != v.forename) {
      v.forename = std::move(t);
      v.noise |= 1u << kForenameTypo;
    }
  }
  v.surname = who.surname;
  if (who.hyphenated) {
    if (r.chance(n.hyphen_part)) {
      v.surname = who.surname_parts[r.range(0, 1)];
      v.noise |= 1u << kSurnameHyphenation;
    }
  } else if (r.chance(n.hyphen_added)) {
    v.surname += "-";
    v.surname += kSurnames[r.range(0, count_of(kSurnames) - 1)];
    v.noise |= 1u << kSurnameHyphenation;
  }
  if (r.chance(n.surname_typo)) {
    std::string t = typo(r, v.surname);
    if (t != v.surname) {
      v.surname = std::move(t);
      v.noise |= 1u << kSurnameTypo;
    }
  }
  if (r.chance(n.accent_dropped) && (has_accent(v.forename) || has_accent(v.surname))) {
    v.forename = strip_accents(v.forename);
    v.surname = strip_accents(v.surname);
    v.noise |= 1u << kAccentVariation;
  }
  const bool upper = r.chance(agency == POLICE ? n.police_upper_case : n.upper_case);
  const bool lower = r.chance(n.lower_case);
  if (upper || lower) {
    std::string f = change_case(v.forename, upper), s = change_case(v.surname, upper);
    if (f != v.forename || s != v.surname) {
      v.forename = std::move(f);
      v.surname = std::move(s);
      v.noise |= 1u << kCaseVariation;
    }
  }
  v.dob = who.dob.iso();
  const int day = who.dob.day(), month = who.dob.month();
  if (r.chance(n.dob_swapped) && day <= 12 && day != month) {
    const Date swapped = Date::from_ymd(who.dob.year(), day, month);
    if (swapped <= concern) {
      v.dob = swapped.iso();
      v.noise |= 1u << kDobSwapped;
    }
  }
  return v;
}

void Generator::emit(int child, const ChildLayout& layout, const Identity& who, Date concern) {
  const auto& events = layout.events;
  const int n = static_cast<int>(events.size());
  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    const Event &x = events[a], &y = events[b];
    if (x.date != y.date)
      return x.date < y.date;
    if (x.agency != y.agency)
      return std::strcmp(kAgencies[x.agency].code, kAgencies[y.agency].code) < 0;
    return a < b;
  });
  std::vector<std::string> ids(static_cast<std::size_t>(n));
  for (int i : order)
    ids[i] = event_id(events[i].agency, events[i].date, who);

  std::array<View, kAgencyCount> views;
  std::array<bool, kAgencyCount> have{};
  const SynthNoiseRates& rates = o_.noise_rates;
  Rng rows(derive(o_.seed, kRowStream, static_cast<std::uint64_t>(child)));
  std::vector<std::string> f(18);
  const std::string child_text = std::to_string(child);
  for (int i : order) {
    const Event& e = events[i];
    const int a = e.agency;
    if (!have[a]) {
      views[a] = view(a, child, who, concern);
      have[a] = true;
    }
    const View& v = views[a];
    unsigned noise = v.noise;
    std::string forename = v.forename, surname = v.surname, dob = v.dob;
    std::string sex(1, who.sex);
    const bool spaces = rows.chance(rates.extra_spaces);
    const int space_kind = rows.range(0, 2);
    const bool in_forename = rows.chance(0.5);
    const bool no_forename = rows.chance(rates.forename_missing);
    const bool no_dob = rows.chance(rates.dob_missing);
    const bool unknown_sex = rows.chance(rates.sex_unknown);
    const bool has_note = rows.chance(0.35);
    const int note_pick = rows.range(0, 1023);
    const bool multiline = rows.chance(0.04);
    if (spaces) {
      std::string& name = in_forename && !forename.empty() ? forename : surname;
      name = space_kind == 0 ? " " + name : space_kind == 1 ? name + " " : name + "  ";
      noise |= 1u << kExtraSpaces;
    }
    if (no_forename && !forename.empty()) {
      forename.clear();
      noise |= 1u << kForenameMissing;
    }
    if (no_dob && (!v.nhs.empty() || !v.local_id.empty())) {
      dob.clear();
      noise |= 1u << kDobMissing;
      noise &= ~(1u << kDobSwapped);
    }
    if (unknown_sex && who.sex != 'U') {
      sex = "U";
      noise |= 1u << kSexUnknown;
    }
    if (v.nhs.empty() && v.local_id.empty() && (surname.empty() || dob.empty()))
      throw std::logic_error("synth: a row without the identifiers the contract requires");

    f[0] = kAgencies[a].code;
    f[1] = ids[i];
    f[2] = type_name(e.type);
    f[3] = e.date.iso();
    f[4] = v.nhs;
    f[5] = v.local_id;
    f[6] = forename;
    f[7] = surname;
    f[8] = dob;
    f[9] = sex;
    f[10] = e.entry_point ? e.entry_point : "";
    f[11] = e.to_agency >= 0 ? kAgencies[e.to_agency].code : "";
    f[12] = e.to_service ? e.to_service : "";
    f[13].clear();
    for (int p = 0; p < kAgencyCount; ++p) {
      if (e.participants & bit(p)) {
        if (!f[13].empty())
          f[13] += ';';
        f[13] += kAgencies[p].code;
      }
    }
    f[14] = e.outcome ? e.outcome : "";
    f[15] = e.category ? e.category : "";
    f[16].clear();
    if (e.relates_to >= 0) {
      if (events[e.relates_to].agency != e.agency)
        throw std::logic_error("synth: relates_to must name an event of the same agency");
      f[16] = ids[e.relates_to];
    }
    f[17] = has_note ? note_for(e.type, note_pick, multiline) : "";
    if (e.date < o_.start || e.date > o_.end || e.date < who.dob)
      throw std::logic_error("synth: an event date outside the range or before birth");

    spill_.add(a, e.date, ids[i], core::csv_line(f));
    truth_events_.write(std::string(kAgencies[a].code) + "," + core::csv_field(ids[i]) + "," +
                        child_text + "\n");
    ++per_agency_[a];
    for (int k = 0; k < kNoiseCount; ++k) {
      if (noise & (1u << k))
        ++noise_[k];
    }
  }

  // Truth: each injected gap, its evidence as AGENCY:event_id.
  std::vector<std::pair<int, std::string>> lines;
  for (const InjectedGap& g : layout.gaps) {
    std::vector<int> evidence = g.evidence;
    if (g.rule == kDuplicateReferral || g.rule == kRepeatedAccount) {
      std::sort(evidence.begin(), evidence.end(), [&](int x, int y) {
        const Event &a = events[x], &b = events[y];
        if (a.date != b.date)
          return a.date < b.date;
        const int c = std::strcmp(kAgencies[a.agency].code, kAgencies[b.agency].code);
        if (c != 0)
          return c < 0;
        return ids[x] < ids[y];
      });
    }
    std::string refs;
    for (int e : evidence) {
      if (!refs.empty())
        refs += ';';
      refs += std::string(kAgencies[events[e].agency].code) + ":" + ids[e];
    }
    lines.emplace_back(g.rule, std::move(refs));
    ++injected_[g.rule];
  }
  std::sort(lines.begin(), lines.end());
  for (const auto& [rule, refs] : lines)
    truth_gaps_.write(std::string(kRuleIds[rule]) + "," + child_text + "," + core::csv_field(refs) +
                      "\n");
  for (int r = 0; r < kRuleCount; ++r)
    eligible_[r] += layout.eligible[r];
  ++decisions_[layout.decision];
}

void Generator::family() {
  Rng fr(derive(o_.seed, kFamilyStream, static_cast<std::uint64_t>(families_)));
  int size = 1 + fr.weighted({82, 13, 5});
  size = std::min(size, o_.children - children_);
  const bool twins = size >= 2 && fr.chance(0.3);
  const bool csa = fr.chance(0.85);
  int entry_total = 0;
  for (const EntryPoint& e : kEntryPoints)
    entry_total += e.weight;
  int entry = 0;
  for (int x = fr.range(0, entry_total - 1); x >= kEntryPoints[entry].weight; ++entry)
    x -= kEntryPoints[entry].weight;

  // Ages: the eldest first; siblings at least two years apart (twins the same age).
  static const std::initializer_list<int> kAgeWeights = {3, 3, 3, 4, 4,  5,  5, 5, 5,
                                                         6, 7, 8, 9, 10, 10, 9, 7, 5};
  std::vector<int> ages(static_cast<std::size_t>(size));
  const int distinct = size - (twins ? 1 : 0);
  const int youngest_eldest = 2 * (distinct - 1);
  ages[0] = std::max(youngest_eldest, fr.weighted(kAgeWeights));
  for (int i = 1; i < size; ++i) {
    if (twins && i == 1) {
      ages[1] = ages[0];
      continue;
    }
    const int remaining = size - 1 - i;
    const int max_step = std::min(4, ages[i - 1] - 2 * remaining);
    ages[i] = ages[i - 1] - fr.range(2, std::max(2, max_step));
  }

  Identity base;
  const bool hyphenated = fr.chance(0.06);
  const int s1 = fr.range(0, count_of(kSurnames) - 1);
  int s2 = fr.range(0, count_of(kSurnames) - 2);
  if (s2 >= s1)
    ++s2;
  base.surname = kSurnames[s1];
  if (hyphenated) {
    base.hyphenated = true;
    base.surname_parts[0] = kSurnames[s1];
    base.surname_parts[1] = kSurnames[s2];
    base.surname = base.surname_parts[0] + "-" + base.surname_parts[1];
  }
  base.gp_practice = 7001 + fr.range(0, 39) * 17;
  base.school = 2001 + fr.range(0, 59) * 31;

  std::vector<Identity> who(static_cast<std::size_t>(size), base);
  std::vector<ChildPlan> plans(static_cast<std::size_t>(size));
  for (int i = 0; i < size; ++i) {
    Identity& id = who[static_cast<std::size_t>(i)];
    const int sex = fr.weighted({62, 36, 2});
    id.sex = sex == 0 ? 'F' : sex == 1 ? 'M' : 'X';
    const bool girl = sex == 0 || (sex == 2 && fr.chance(0.5));
    for (int attempt = 0;; ++attempt) {
      const Forename& name = girl ? kGirls[fr.range(0, count_of(kGirls) - 1)]
                                  : kBoys[fr.range(0, count_of(kBoys) - 1)];
      bool taken = false;
      for (int j = 0; j < i; ++j)
        taken = taken || who[static_cast<std::size_t>(j)].forename == name.name;
      if (!taken || attempt > 20) {
        id.forename = name.name;
        id.variants = name.variants;
        break;
      }
    }
    ChildPlan& plan = plans[static_cast<std::size_t>(i)];
    plan.age = ages[static_cast<std::size_t>(i)];
    plan.csa = csa;
    plan.entry = entry;
    // Entry points that fit the child's age: under-fours come to notice through the health
    // visitor rather than a school and the GP rather than CAMHS; under-elevens do not refer
    // themselves (the family does).
    if (entry == kEntrySchool && plan.age < 4)
      plan.entry = kEntryHealthVisitor;
    if (entry == kEntryCamhs && plan.age < 4)
      plan.entry = kEntryGp;
    if (entry == kEntrySelf && plan.age < 11)
      plan.entry = kEntryFamily;
  }

  // A concern date that fits every child's pathway inside [start, end]: measure the pathways at
  // `start`, place the family at random in the room left, and move it earlier if the dates (which
  // depend a little on where weekends and bank holidays fall) still overrun.
  int span = 0;
  for (int i = 0; i < size; ++i) {
    ChildLayout& l = layouts_[static_cast<std::size_t>(i)];
    l.run(plans[static_cast<std::size_t>(i)], o_.seed, static_cast<std::uint64_t>(children_ + i),
          o_.start);
    span = std::max(span, l.last() - o_.start);
  }
  const int room = (o_.end - o_.start) - span - 14;
  Date concern = o_.start.plus_days(fr.range(0, std::max(0, room)));
  for (int attempt = 0;; ++attempt) {
    int over = 0;
    for (int i = 0; i < size; ++i) {
      ChildLayout& l = layouts_[static_cast<std::size_t>(i)];
      l.run(plans[static_cast<std::size_t>(i)], o_.seed, static_cast<std::uint64_t>(children_ + i),
            concern);
      over = std::max(over, l.last() - o_.end);
    }
    if (over <= 0)
      break;
    if (attempt >= 8 || concern.plus_days(-over - 7) < o_.start)
      throw core::ValidationError("--start to --end is too short for the synthetic pathways");
    concern = concern.plus_days(-over - 7);
  }

  // Dates of birth: on or before the concern date, at the planned age.
  Date twin_dob;
  for (int i = 0; i < size; ++i) {
    Identity& id = who[static_cast<std::size_t>(i)];
    const int offset = fr.range(0, 364);
    id.dob = concern.plus_days(-(ages[static_cast<std::size_t>(i)] * 365 + offset));
    if (twins && i == 1)
      id.dob = twin_dob;
    twin_dob = id.dob;
  }
  for (int i = 0; i < size; ++i) {
    Identity& id = who[static_cast<std::size_t>(i)];
    id.nhs = next_nhs();
    emit(children_ + i + 1, layouts_[static_cast<std::size_t>(i)], id, concern);
  }
  children_ += size;
  ++families_;
}

SynthSummary Generator::run() {
  while (children_ < o_.children)
    family();

  std::array<std::unique_ptr<File>, kAgencyCount> files;
  for (int a = 0; a < kAgencyCount; ++a) {
    files[a] = std::make_unique<File>(out_ / events_file(a), "wb");
    files[a]->write(kHeader);
  }
  spill_.merge(files);
  for (auto& f : files)
    f->close();
  truth_events_.close();
  truth_gaps_.close();

  SynthSummary s;
  s.out_dir = o_.out_dir;
  s.children = children_;
  s.families = families_;
  for (int a = 0; a < kAgencyCount; ++a) {
    s.events_per_agency.emplace_back(kAgencies[a].code, per_agency_[a]);
    s.events += per_agency_[a];
  }
  for (int d = 0; d < kDecisionCount; ++d)
    s.referral_decisions.emplace_back(kDecisionCodes[d], decisions_[d]);
  for (int r = 0; r < kRuleCount; ++r)
    s.gaps.push_back({kRuleIds[r], rate_of(o_.gap_rates, r), eligible_[r], injected_[r]});
  for (int k = 0; k < kNoiseCount; ++k)
    s.noise.emplace_back(kNoiseNames[k], noise_[k]);

  // partnership.json (DESIGN.md section 3) and truth/summary.json.
  std::string p =
      "{\n  \"name\": \"Synthetic Safeguarding Children Partnership (synthetic data, "
      "seed " +
      std::to_string(o_.seed) + ")\",\n  \"agencies\": [\n";
  for (int a = 0; a < kAgencyCount; ++a) {
    p += "    {\"code\": " + json_string(kAgencies[a].code) +
         ", \"name\": " + json_string(kAgencies[a].name) +
         ", \"kind\": " + json_string(kAgencies[a].kind) + "}" +
         (a + 1 < kAgencyCount ? ",\n" : "\n");
  }
  p += "  ]\n}\n";
  File partnership(out_ / "partnership.json", "wb");
  partnership.write(p);
  partnership.close();

  auto object = [](const std::vector<std::pair<std::string, std::int64_t>>& v) {
    std::string o = "{";
    for (std::size_t i = 0; i < v.size(); ++i)
      o += (i ? ", " : "") + json_string(v[i].first) + ": " + std::to_string(v[i].second);
    return o + "}";
  };
  std::string j = "{\n";
  j += "  \"generator\": \"pathaudit synth\",\n";
  j += "  \"seed\": " + std::to_string(o_.seed) + ",\n";
  j += "  \"start\": " + json_string(o_.start.iso()) + ",\n";
  j += "  \"end\": " + json_string(o_.end.iso()) + ",\n";
  j += "  \"children\": " + std::to_string(s.children) + ",\n";
  j += "  \"families\": " + std::to_string(s.families) + ",\n";
  j += "  \"events\": " + std::to_string(s.events) + ",\n";
  j += "  \"events_per_agency\": " + object(s.events_per_agency) + ",\n";
  j += "  \"referral_decisions\": " + object(s.referral_decisions) + ",\n";
  j += "  \"gaps_injected\": " + std::to_string(s.injected_gaps()) + ",\n";
  j += "  \"gaps\": {\n";
  for (std::size_t i = 0; i < s.gaps.size(); ++i) {
    const auto& g = s.gaps[i];
    j += "    " + json_string(g.rule) + ": {\"rate\": " + format_rate(g.rate) +
         ", \"eligible\": " + std::to_string(g.eligible) +
         ", \"injected\": " + std::to_string(g.injected) + "}" +
         (i + 1 < s.gaps.size() ? ",\n" : "\n");
  }
  j += "  },\n";
  j += "  \"identifier_noise_rows\": " + object(s.noise) + "\n";
  j += "}\n";
  File summary(out_ / "truth" / "summary.json", "wb");
  summary.write(j);
  summary.close();
  return s;
}

}  // namespace

std::int64_t SynthSummary::injected_gaps() const {
  std::int64_t n = 0;
  for (const Gap& g : gaps)
    n += g.injected;
  return n;
}

const std::vector<std::string>& synth_gap_rules() {
  static const std::vector<std::string> rules(std::begin(kRuleIds), std::end(kRuleIds));
  return rules;
}

SynthSummary generate_synthetic_partnership(const SynthOptions& options) {
  if (core::event_types().size() != static_cast<std::size_t>(T::kCount)) {
    throw core::Error("synth: its event types no longer match the import contract's vocabulary");
  }
  const std::string calendar_file =
      options.calendar_file.empty()
          ? std::string(PATHAUDIT_TEMPLATES_DIR) + "/calendars/england-and-wales.json"
          : options.calendar_file;
  const core::WorkingDayCalendar calendar = load_calendar(calendar_file);
  validate(options, calendar);
  const fs::path out(options.out_dir);
  prepare_out_dir(out);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{out / kTmpDir};
  std::unique_ptr<Generator> generator = std::make_unique<Generator>(options, calendar);
  return generator->run();
}

}  // namespace pathaudit::service
