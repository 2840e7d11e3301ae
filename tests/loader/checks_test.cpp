// The loader's pure checks on hand-made descriptors and registrations: each mismatch is
// caught and names both sides.
#include <doctest/doctest.h>

#include "loader/checks.h"

namespace {

using namespace host::loader;

void* create_stub() noexcept { return nullptr; }
void destroy_stub(void*) noexcept {}

hostsdk_descriptor good_descriptor() {
  return {HOSTSDK_MAGIC,
          sizeof(hostsdk_descriptor),
          HOSTSDK_API_MAJOR,
          HOSTSDK_API_MINOR,
          hostsdk::kBuildFingerprint.text,
          "p",
          "1.0.0",
          &create_stub,
          &destroy_stub};
}

Manifest manifest() {
  Manifest m;
  m.id = "p";
  m.version = "1.0.0";
  m.host_api_major = HOSTSDK_API_MAJOR;
  m.routes = {{"POST", "/api/v1/p.do", "", {}}};
  m.permissions = {{"p-do", {"admin", "bot"}}};
  return m;
}

}  // namespace

TEST_CASE("descriptor checks") {
  CHECK(check_descriptor(nullptr, manifest()).has_value());
  auto d = good_descriptor();
  CHECK(!check_descriptor(&d, manifest()).has_value());

  d = good_descriptor();
  d.struct_size = 8;
  auto r = check_descriptor(&d, manifest());
  REQUIRE(r);
  CHECK(r->check == "descriptor.struct_size");
  CHECK(r->plugin_value == "8");
  CHECK(r->host_value == std::to_string(sizeof(hostsdk_descriptor)));

  d = good_descriptor();
  d.api_minor = HOSTSDK_API_MINOR + 1;
  CHECK(check_descriptor(&d, manifest())->check == "descriptor.api_minor");

  d = good_descriptor();
  d.build_fingerprint = nullptr;
  r = check_descriptor(&d, manifest());
  REQUIRE(r);
  CHECK(r->check == "descriptor.build_fingerprint");
  CHECK(r->plugin_value == "(null)");
  CHECK(r->host_value == hostsdk::kBuildFingerprint.text);

  d = good_descriptor();
  d.create = nullptr;
  CHECK(check_descriptor(&d, manifest())->check == "descriptor.create_destroy");
}

TEST_CASE("registration checks ignore order, not content") {
  std::vector<RegisteredRoute> routes = {{"POST", "/api/v1/p.do", true, nullptr}};
  CHECK(!check_registration(manifest(), routes, {{"p-do", {"bot", "admin"}}}));
  CHECK(check_registration(manifest(), routes, {{"p-do", {"admin"}}})->check ==
        "registered permissions");
  CHECK(check_registration(manifest(), {}, {{"p-do", {"admin", "bot"}}})->check ==
        "registered routes");
  routes.push_back({"GET", "/api/v1/p.do", true, nullptr});
  auto r = check_registration(manifest(), routes, {{"p-do", {"admin", "bot"}}});
  REQUIRE(r);
  CHECK(r->plugin_value == "[GET /api/v1/p.do, POST /api/v1/p.do]");
}

TEST_CASE("refusal line is a single line naming both sides") {
  Refusal r{"descriptor.api_major", "2\n", "1", "rebuild"};
  std::string line = format_refusal("p", "/plugins/p", r);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line ==
        "plugin \"p\" (/plugins/p) not loaded: check descriptor.api_major failed: plugin has "
        "\"2\", host expects \"1\"; rebuild");
}
