// Policy documents (docs/POLICY.md) and the one access check.
#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "captee/tee/policy.hpp"
#include "captee/detail/whole_file.hpp"

namespace captee::tee {

namespace {

using nlohmann::json;

struct ParseError {
  std::string what;
};

[[noreturn]] void fail(const std::string &where, const std::string &what) {
  throw ParseError{where + ": " + what};
}

void only_keys(const json &j, const std::string &where, std::initializer_list<const char *> keys) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::none_of(keys.begin(), keys.end(), [&](const char *k) { return it.key() == k; })) {
      fail(where, "unknown key \"" + it.key() + "\"");
    }
  }
}

// A number, or a string holding a decimal or 0x-prefixed hex number.
uint32_t parse_u32(const json &j, const std::string &where) {
  if (j.is_number_unsigned()) {
    uint64_t v = j.get<uint64_t>();
    if (v > UINT32_MAX) {
      fail(where, "value does not fit in 32 bits");
    }
    return uint32_t(v);
  }
  if (j.is_string()) {
    const std::string &s = j.get_ref<const std::string &>();
    size_t pos = 0;
    unsigned long long v = 0;
    try {
      v = std::stoull(s, &pos, 0);
    } catch (...) {
      pos = 0;
    }
    if (pos == 0 || pos != s.size() || v > UINT32_MAX) {
      fail(where, "\"" + s + "\" is not a 32-bit number");
    }
    return uint32_t(v);
  }
  fail(where, "expected a number");
}

bool is_hex64(const std::string &s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool is_canonical_uuid(const std::string &s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); i++) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

Policy::Rule parse_allow(const json &j, const std::string &where, Policy::Rule r,
                         std::vector<std::string> *warnings);

// A "tas" entry: {"uuid": "...", "name": "...", "allow": ...}.
Policy::Rule parse_ta_rule(const json &j, const std::string &where,
                           std::vector<std::string> *warnings) {
  if (!j.is_object()) {
    fail(where, "expected an object");
  }
  only_keys(j, where, {"uuid", "name", "allow", "comment"});
  Policy::Rule r;
  if (!j.contains("uuid") || !j["uuid"].is_string() ||
      !is_canonical_uuid(j["uuid"].get<std::string>())) {
    fail(where + ".uuid", "expected a UUID such as \"80a4c275-0a47-4905-8285-1486a9771a08\"");
  }
  r.ta_uuid = j["uuid"].get<std::string>();
  std::transform(r.ta_uuid.begin(), r.ta_uuid.end(), r.ta_uuid.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  if (j.contains("name")) {
    if (!j["name"].is_string() || j["name"].get<std::string>().empty()) {
      fail(where + ".name", "expected a non-empty string");
    }
    r.name = j["name"].get<std::string>();
  }
  return parse_allow(j, where, std::move(r), warnings);
}

Policy::Rule parse_rule(const json &j, const std::string &where,
                        std::vector<std::string> *warnings) {
  if (!j.is_object()) {
    fail(where, "expected an object");
  }
  only_keys(j, where, {"uid", "name", "allow", "comment"});
  Policy::Rule r;
  if (j.contains("uid")) {
    r.uid = parse_u32(j["uid"], where + ".uid");
    if (*r.uid == 0) {
      fail(where + ".uid", "0 is not a service uid");
    }
  }
  if (j.contains("name")) {
    if (!j["name"].is_string() || j["name"].get<std::string>().empty()) {
      fail(where + ".name", "expected a non-empty string");
    }
    r.name = j["name"].get<std::string>();
  }
  if (!r.uid && r.name.empty()) {
    fail(where, "a service needs \"uid\" or \"name\"");
  }
  return parse_allow(j, where, std::move(r), warnings);
}

Policy::Rule parse_allow(const json &j, const std::string &where, Policy::Rule r,
                         std::vector<std::string> *warnings) {
  if (!j.contains("allow")) {
    fail(where, "missing \"allow\"");
  }
  const json &a = j["allow"];
  if (a.is_string()) {
    if (a.get<std::string>() == "everyone") {
      r.everyone = true;
    } else if (a.get<std::string>() != "nobody") {
      fail(where + ".allow", "expected \"everyone\", \"nobody\" or an object");
    }
    return r;
  }
  if (!a.is_object()) {
    fail(where + ".allow", "expected \"everyone\", \"nobody\" or an object");
  }
  only_keys(a, where + ".allow", {"uids", "groups", "executables"});
  auto list = [&](const char *key) -> const json & {
    static const json empty = json::array();
    if (!a.contains(key)) {
      return empty;
    }
    if (!a[key].is_array()) {
      fail(where + ".allow." + key, "expected an array");
    }
    return a[key];
  };
  size_t i = 0;
  for (const json &u : list("uids")) {
    std::string w = where + ".allow.uids[" + std::to_string(i++) + "]";
    if (u.is_string() && !u.get<std::string>().empty() && !std::isdigit(u.get<std::string>()[0])) {
      const passwd *pw = ::getpwnam(u.get<std::string>().c_str());
      if (pw == nullptr) {
        if (warnings)
          warnings->push_back(w + ": no user \"" + u.get<std::string>() + "\"; ignored");
        continue;
      }
      r.uids.push_back(pw->pw_uid);
    } else {
      r.uids.push_back(parse_u32(u, w));
    }
  }
  i = 0;
  for (const json &g : list("groups")) {
    std::string w = where + ".allow.groups[" + std::to_string(i++) + "]";
    if (g.is_string() && !g.get<std::string>().empty() && !std::isdigit(g.get<std::string>()[0])) {
      const group *gr = ::getgrnam(g.get<std::string>().c_str());
      if (gr == nullptr) {
        if (warnings)
          warnings->push_back(w + ": no group \"" + g.get<std::string>() + "\"; ignored");
        continue;
      }
      r.gids.push_back(gr->gr_gid);
    } else {
      r.gids.push_back(parse_u32(g, w));
    }
  }
  i = 0;
  for (const json &e : list("executables")) {
    std::string w = where + ".allow.executables[" + std::to_string(i++) + "]";
    if (!e.is_object()) {
      fail(w, "expected an object with \"path\" and/or \"sha256\"");
    }
    only_keys(e, w, {"path", "sha256"});
    Policy::Executable x;
    if (e.contains("path")) {
      if (!e["path"].is_string() || e["path"].get<std::string>().empty() ||
          e["path"].get<std::string>()[0] != '/') {
        fail(w + ".path", "expected an absolute path");
      }
      x.path = e["path"].get<std::string>();
    }
    if (e.contains("sha256")) {
      if (!e["sha256"].is_string()) {
        fail(w + ".sha256", "expected 64 hex digits");
      }
      x.sha256 = e["sha256"].get<std::string>();
      std::transform(x.sha256.begin(), x.sha256.end(), x.sha256.begin(),
                     [](unsigned char c) { return char(std::tolower(c)); });
      if (!is_hex64(x.sha256)) {
        fail(w + ".sha256", "expected 64 hex digits");
      }
    }
    if (x.path.empty() && x.sha256.empty()) {
      fail(w, "needs \"path\" and/or \"sha256\"");
    }
    r.executables.push_back(std::move(x));
  }
  return r;
}

constexpr const char *kBuiltinDefault = R"({
  "version": 1,
  "default": "deny",
  "services": [
    {"uid": "0x10001", "name": "memory", "allow": "everyone"},
    {"uid": 143, "name": "diagnostics", "allow": "everyone"},
    {"uid": "0x199", "name": "gp-app-client", "allow": "everyone"},
    {"uid": 3, "name": "app-loader", "allow": "everyone"},
    {"uid": 87, "name": "register-listener", "allow": "everyone"},
    {"uid": "0x10016", "name": "storage-admin", "allow": "everyone"},
    {"uid": "0x10002", "name": "remoteproc-control",
     "allow": {"uids": [0], "groups": ["captee-rproc"]}}
  ],
  "tas": [
    {"uuid": "80a4c275-0a47-4905-8285-1486a9771a08", "name": "remoteproc",
     "allow": {"uids": [0], "groups": ["captee-rproc"]}}
  ]
})";

}  // namespace

Policy Policy::allow_all() {
  Policy p;
  p.default_allow_ = true;
  return p;
}

Policy Policy::builtin_default() {
  std::string why;
  auto p = parse(kBuiltinDefault, &why);
  return p ? *p : Policy();
}

std::optional<Policy> Policy::parse(const std::string &text, std::string *why,
                                    std::vector<std::string> *warnings) {
  try {
    json j = json::parse(text);
    if (!j.is_object()) {
      fail("policy", "the top level must be an object");
    }
    only_keys(j, "policy", {"version", "default", "services", "tas", "comment"});
    if (j.contains("version") && (!j["version"].is_number_unsigned() || j["version"] != 1)) {
      fail("policy.version", "only version 1 is understood");
    }
    Policy p;
    if (j.contains("default")) {
      if (j["default"] == "allow") {
        p.default_allow_ = true;
      } else if (j["default"] != "deny") {
        fail("policy.default", "expected \"allow\" or \"deny\"");
      }
    }
    if (j.contains("services")) {
      if (!j["services"].is_array()) {
        fail("policy.services", "expected an array");
      }
      std::set<uint32_t> uids;
      std::set<std::string> names;
      size_t i = 0;
      for (const json &s : j["services"]) {
        std::string w = "policy.services[" + std::to_string(i++) + "]";
        Rule r = parse_rule(s, w, warnings);
        if ((r.uid && !uids.insert(*r.uid).second) ||
            (!r.name.empty() && !names.insert(r.name).second)) {
          fail(w, "service listed twice");
        }
        p.rules_.push_back(std::move(r));
      }
    }
    if (j.contains("tas")) {
      if (!j["tas"].is_array()) {
        fail("policy.tas", "expected an array");
      }
      std::set<std::string> uuids;
      size_t i = 0;
      for (const json &t : j["tas"]) {
        std::string w = "policy.tas[" + std::to_string(i++) + "]";
        Rule r = parse_ta_rule(t, w, warnings);
        if (!uuids.insert(r.ta_uuid).second) {
          fail(w, "trusted app listed twice");
        }
        p.ta_rules_.push_back(std::move(r));
      }
    }
    return p;
  } catch (const ParseError &e) {
    if (why)
      *why = e.what;
  } catch (const nlohmann::json::exception &e) {
    if (why)
      *why = std::string("policy: not valid JSON (") + e.what() + ")";
  }
  return std::nullopt;
}

std::optional<Policy> Policy::load(const std::string &path, std::string *why,
                                   std::vector<std::string> *warnings) {
  std::string text;
  // The policy may come from a pipe (e.g. <(...)), as with ifstream.
  if (detail::read_whole_file(path, text, UINT64_MAX, detail::FileKind::kAlsoStreams) !=
      detail::FileRead::kOk) {
    if (why)
      *why = "cannot read policy file " + path;
    return std::nullopt;
  }
  std::string inner;
  auto p = parse(text, &inner, warnings);
  if (!p && why) {
    *why = "policy file " + path + ": " + inner;
  }
  return p;
}

bool Policy::allows(uint32_t uid, const std::string &name, const ClientIdentity &who) const {
  for (const Rule &r : rules_) {
    // The uid identifies the service when given; the name then only documents.
    if (r.uid ? *r.uid == uid : r.name == name) {
      return matches(r, who);
    }
  }
  return default_allow_;
}

std::vector<std::string> Policy::tas_denied_to(const ClientIdentity &who) const {
  std::vector<std::string> denied;
  for (const Rule &r : ta_rules_) {
    if (!matches(r, who)) {
      denied.push_back(r.ta_uuid);
    }
  }
  return denied;
}

bool Policy::matches(const Rule &r, const ClientIdentity &who) {
  const Rule *rule = &r;
  if (rule->everyone) {
    return true;
  }
  if (std::find(rule->uids.begin(), rule->uids.end(), who.uid) != rule->uids.end()) {
    return true;
  }
  for (gid_t g : rule->gids) {
    if (who.in_group(g)) {
      return true;
    }
  }
  // An identity whose executable does not count for this request has none.
  if (who.process_verified && !who.exe_path.empty() && !who.exe_sha256.empty()) {
    for (const Executable &x : rule->executables) {
      bool path_ok = x.path.empty() || x.path == who.exe_path;
      bool sha_ok = x.sha256.empty() || x.sha256 == who.exe_sha256;
      if (path_ok && sha_ok) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace captee::tee
