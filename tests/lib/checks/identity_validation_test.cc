// A check's name and labels: what Validate accepts and what it says about the rest.

#include <gtest/gtest.h>

#include "lib/checks/options_json.h"
#include "lib/checks/validation.h"

namespace lokahi::checks {
namespace {

CheckOptions Valid() {
  CheckOptions o;
  o.url = "http://example.internal:8080/health";
  o.webhook_url = "https://hooks.example.com/lokahi";
  ApplyDefaults(o);
  return o;
}

TEST(IdentityValidation, NameUpTo200CharactersCountedInUtf8) {
  auto o = Valid();
  o.name = std::string(200, 'a');
  EXPECT_EQ(Validate(o, {}), std::nullopt);
  std::string accented;
  for (int i = 0; i < 200; ++i) accented += "\xc3\xa9";  // é, two bytes each
  o.name = accented;
  EXPECT_EQ(Validate(o, {}), std::nullopt) << "200 characters, 400 bytes";
  o.name = std::string(201, 'a');
  EXPECT_EQ(Validate(o, {}), "name must be at most 200 characters, got 201");
  o.name = "payments\napi";
  EXPECT_NE(Validate(o, {})->find("control characters"), std::string::npos);
  o.name = "bad \xff utf8";
  EXPECT_NE(Validate(o, {})->find("name must be UTF-8"), std::string::npos);
}

TEST(IdentityValidation, LabelKeysAndValues) {
  auto o = Valid();
  o.labels = {{"team", "payments"}, {"app.kubernetes.io/name", "api-v2_1.0"}, {"flag", ""}};
  EXPECT_EQ(Validate(o, {}), std::nullopt);
  o.labels = {{"", "x"}};
  EXPECT_EQ(Validate(o, {}),
            "label key must be 1 to 63 characters of A-Z a-z 0-9 . _ / -, got \"\"");
  o.labels = {{std::string(64, 'k'), "x"}};
  EXPECT_NE(Validate(o, {}), std::nullopt);
  o.labels = {{"team", "pay/ments"}};
  EXPECT_EQ(Validate(o, {}),
            "label team must have a value of at most 63 characters of A-Z a-z 0-9 . _ -, got "
            "\"pay/ments\"");
  o.labels = {{"team", std::string(64, 'v')}};
  EXPECT_NE(Validate(o, {}), std::nullopt);
  o.labels = {{"te am", "x"}};
  EXPECT_NE(Validate(o, {}), std::nullopt);
}

TEST(IdentityValidation, AtMost32Labels) {
  auto o = Valid();
  for (int i = 0; i < 32; ++i) o.labels["k" + std::to_string(i)] = "v";
  EXPECT_EQ(Validate(o, {}), std::nullopt);
  o.labels["k32"] = "v";
  EXPECT_EQ(Validate(o, {}), "at most 32 labels, got 33");
}

TEST(IdentityValidation, LabelsJsonRoundTrip) {
  const std::map<std::string, std::string> labels = {{"env", "prod"}, {"team", ""}};
  EXPECT_EQ(LabelsToJson(labels), R"({"env":"prod","team":""})");
  EXPECT_EQ(LabelsFromJson(LabelsToJson(labels)), labels);
  EXPECT_TRUE(LabelsFromJson("{}").empty());
  EXPECT_THROW(LabelsFromJson(R"({"a":1})"), std::invalid_argument);
  EXPECT_THROW(LabelsFromJson("[]"), std::invalid_argument);
}

}  // namespace
}  // namespace lokahi::checks
