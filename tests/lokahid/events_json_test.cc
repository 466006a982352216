// The reader of POST /events bodies: what it accepts and what it refuses.

#include "lokahid/http/events_json.h"

#include <gtest/gtest.h>

namespace lokahi::lokahid {
namespace {

std::optional<std::vector<EventsJsonItem>> Parse(std::string_view body, size_t max = 10000) {
  std::string error;
  auto items = ParseEventsJson(body, max, &error);
  if (!items) {
    EXPECT_FALSE(error.empty());
  }
  return items;
}

TEST(EventsJson, AnObjectOrAnArrayOfThem) {
  auto one = Parse(R"( {"id":"hb","raise":"+5m","n":1.5e3,"x":{"y":[1,true,null]}} )");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  const auto& fields = (*one)[0].fields;
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0].first, "id");
  EXPECT_EQ(fields[0].second.text, "hb");
  EXPECT_EQ(fields[2].second.kind, EventsJsonValue::Kind::kNumber);
  EXPECT_EQ(fields[2].second.number, 1500);
  EXPECT_EQ(fields[3].second.kind, EventsJsonValue::Kind::kOther);
  auto many = Parse(R"([{"id":"a"},{"id":"b"},3])");
  ASSERT_TRUE(many);
  ASSERT_EQ(many->size(), 3u);
  EXPECT_FALSE((*many)[2].is_object);
  EXPECT_TRUE(Parse("[]")->empty());
}

TEST(EventsJson, EscapesDecodeToUtf8) {
  auto items = Parse(R"({"s":"a\"b\\c\/\n\u00e9\ud83d\ude00"})");
  ASSERT_TRUE(items);
  EXPECT_EQ((*items)[0].fields[0].second.text, "a\"b\\c/\n\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(EventsJson, RefusesWhatIsNotStrictJson) {
  for (const char* bad :
       {"", "not json", "{", R"({"a":1,})", R"([{"a":1},])", R"({"a":01})", R"({"a":.5})",
        "{\"a\":\"\x01\"}", R"({"a":"\ud800"})", R"({"a":"\q"})", R"({"a":1} x)", R"({'a':1})",
        R"({"a":tru})", "\"just a string\"", "42"}) {
    EXPECT_FALSE(Parse(bad)) << bad;
  }
  std::string deep = R"({"a":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  EXPECT_FALSE(Parse(deep));
}

TEST(EventsJson, StopsAtTheItemLimit) {
  std::string error;
  EXPECT_FALSE(ParseEventsJson("[1,2,3]", 2, &error));
  EXPECT_EQ(error, "at most 2 alerts per request");
  EXPECT_TRUE(ParseEventsJson("[1,2]", 2, &error));
}

}  // namespace
}  // namespace lokahi::lokahid
