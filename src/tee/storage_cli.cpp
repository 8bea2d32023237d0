// `captee storage` (storage_cli.hpp).
#include "storage_cli.hpp"

#include <array>
#include <cstdint>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>
#include <vector>

#include "IStorageAdmin.hpp"
#include "captee/detail/printable.hpp"
#include "captee/detail/uuid_text.hpp"

namespace captee::tee {

namespace {

// The largest answer asked for: a TA's quota bounds its objects, but not
// below what 16 MiB of JSON holds.
constexpr size_t kMaxAnswer = size_t(16) << 20;

std::string json_line(const nlohmann::json &j) {
  return j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

// Asks with a growing buffer; the parsed array, or null with *why set.
template <typename Ask>
nlohmann::json ask_json(Ask ask, std::string *why) {
  for (size_t cap = 64 * 1024;; cap *= 4) {
    std::vector<std::byte> buf(cap);
    size_t len = 0;
    const int32_t rv = ask(std::span(buf), len);
    if (rv == Object_ERROR_SIZE_OUT && cap < kMaxAnswer) {
      continue;
    }
    if (rv == IStorageAdmin_ERROR_DENIED) {
      *why = "only root or the user capteed runs as may administer its storage";
      return nullptr;
    }
    if (rv == IStorageAdmin_ERROR_STORE) {
      *why =
          "capteed's store cannot answer (rolled back or damaged: see capteed's log and "
          "docs/STORAGE.md)";
      return nullptr;
    }
    if (rv != Object_OK || len == 0 || len > buf.size()) {
      *why = "capteed did not answer (error " + std::to_string(rv) + ")";
      return nullptr;
    }
    // The text ends with its NUL.
    nlohmann::json j = nlohmann::json::parse(
        std::string_view(reinterpret_cast<const char *>(buf.data()), len - 1), nullptr, false);
    if (j.is_discarded() || !j.is_array()) {
      *why = "capteed sent malformed JSON";
      return nullptr;
    }
    return j;
  }
}

// A field of capteed's answer as text, whatever its type.
std::string field(const nlohmann::json &o, const char *key) {
  if (!o.is_object() || !o.contains(key)) {
    return "?";
  }
  const nlohmann::json &v = o[key];
  return v.is_string() ? printable(v.get<std::string>()) : v.dump();
}

// An id as text when it is printable ASCII, else as hex.
std::string id_text(const std::string &hex) {
  std::string text;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    const auto c = char(std::stoi(hex.substr(i, 2), nullptr, 16));
    if (c < 0x20 || c > 0x7e) {
      return "hex:" + hex;
    }
    text.push_back(c);
  }
  return "\"" + text + "\"";
}

bool is_hex(const std::string &s) {
  return s.size() % 2 == 0 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

int storage_usage_command(const Ref &admin, bool json, std::ostream &out, std::ostream &err) {
  std::string why;
  nlohmann::json owners =
      ask_json([&](std::span<std::byte> buf,
                   size_t &len) { return iface::IStorageAdmin(admin).usageJson(buf, len); },
               &why);
  if (owners.is_null()) {
    err << "captee: " << why << ".\n";
    return 1;
  }
  if (json) {
    out << json_line(owners) << "\n";
    return 0;
  }
  if (owners.empty()) {
    out << "no stored objects\n";
    return 0;
  }
  out << std::left << std::setw(38) << "UUID" << std::setw(12) << "OBJECTS" << std::setw(12)
      << "BYTES"
      << "AUTHORITY\n";
  for (const auto &o : owners) {
    out << std::setw(38) << field(o, "uuid") << std::setw(12) << field(o, "objects")
        << std::setw(12) << field(o, "bytes") << field(o, "authority") << "\n";
  }
  return 0;
}

int storage_list_command(const Ref &admin, const std::optional<std::string> &ta, bool json,
                         std::ostream &out, std::ostream &err) {
  std::string why;
  if (!ta) {
    // Owners and counts only: ids stay hidden unless a TA is named.
    nlohmann::json owners =
        ask_json([&](std::span<std::byte> buf,
                     size_t &len) { return iface::IStorageAdmin(admin).usageJson(buf, len); },
                 &why);
    if (owners.is_null()) {
      err << "captee: " << why << ".\n";
      return 1;
    }
    nlohmann::json counts = nlohmann::json::array();
    for (const auto &o : owners) {
      nlohmann::json c = nlohmann::json::object();
      for (const char *key : {"authority", "uuid", "objects"}) {
        if (o.is_object() && o.contains(key)) {
          c[key] = o[key];
        }
      }
      counts.push_back(c);
    }
    if (json) {
      out << json_line(counts) << "\n";
      return 0;
    }
    if (counts.empty()) {
      out << "no stored objects\n";
    }
    for (const auto &o : counts) {
      out << field(o, "uuid") << " (" << field(o, "authority") << "): " << field(o, "objects")
          << " objects\n";
    }
    return 0;
  }
  const auto uuid = detail::uuid_from_text(*ta);
  if (!uuid) {
    err << "captee: --ta takes a UUID such as 80a4c275-0a47-4905-8285-1486a9771a08.\n";
    return 2;
  }
  nlohmann::json objects = ask_json(
      [&](std::span<std::byte> buf, size_t &len) {
        return iface::IStorageAdmin(admin).listJson(std::as_bytes(std::span(*uuid)), buf, len);
      },
      &why);
  if (objects.is_null()) {
    err << "captee: " << why << ".\n";
    return 1;
  }
  if (json) {
    out << json_line(objects) << "\n";
    return 0;
  }
  if (objects.empty()) {
    out << "no stored objects for TA " << *ta << "\n";
    return 0;
  }
  out << std::left << std::setw(9) << "STORAGE" << std::setw(11) << "SIZE" << std::setw(12)
      << "TYPE" << std::setw(12) << "AUTHORITY"
      << "ID\n";
  for (const auto &o : objects) {
    std::ostringstream type;
    if (o.is_object() && o.contains("type") && o["type"].is_number_unsigned()) {
      type << "0x" << std::hex << std::setw(8) << std::setfill('0') << o["type"].get<uint32_t>();
    }
    const std::string hex = o.is_object() && o.contains("id_hex") && o["id_hex"].is_string()
                                ? o["id_hex"].get<std::string>()
                                : "";
    out << std::setw(9) << field(o, "storage") << std::setw(11) << field(o, "size") << std::setw(12)
        << type.str() << std::setw(12) << field(o, "authority")
        << (is_hex(hex) ? id_text(hex) : "?") << "\n";
  }
  return 0;
}

}  // namespace captee::tee
