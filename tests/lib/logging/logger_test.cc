#include "lib/logging/logger.h"

#include <gtest/gtest.h>

#include <sstream>

namespace lokahi::logging {
namespace {

TEST(LoggerTest, WritesOneStructuredLinePerEvent) {
  std::ostringstream out;
  Logger log("lokahid", out);
  log.Info("listening", {{"port", 24253}, {"address", "127.0.0.1"}});
  const std::string line = out.str();
  EXPECT_EQ(line.find("ts="), 0u) << line;
  EXPECT_NE(
      line.find(" level=info component=lokahid event=listening port=24253 address=127.0.0.1\n"),
      std::string::npos)
      << line;
}

TEST(LoggerTest, InfoIsTheDefaultMinimum) {
  std::ostringstream out;
  Logger log("c", out);
  log.Debug("noisy");
  log.Info("normal");
  EXPECT_EQ(out.str().find("event=noisy"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("level=info component=c event=normal"), std::string::npos);
}

TEST(LoggerTest, LinesBelowTheMinimumLevelAreNotWritten) {
  std::ostringstream out;
  Logger log("c", out, Level::kWarn);
  log.Debug("d");
  log.Info("i");
  log.Warn("w");
  log.Error("e");
  EXPECT_EQ(out.str().find("event=d"), std::string::npos);
  EXPECT_EQ(out.str().find("event=i"), std::string::npos);
  EXPECT_NE(out.str().find("level=warn component=c event=w"), std::string::npos);
  EXPECT_NE(out.str().find("level=error component=c event=e"), std::string::npos);
}

TEST(LoggerTest, DebugLevelWritesDebugLines) {
  std::ostringstream out;
  Logger log("c", out, Level::kDebug);
  log.Debug("d", {{"k", "v"}});
  EXPECT_NE(out.str().find("level=debug component=c event=d k=v"), std::string::npos) << out.str();
}

TEST(LoggerTest, TheMinimumCanBeSetAfterConstruction) {
  std::ostringstream out;
  Logger log("c", out);
  log.SetMinimumLevel(Level::kError);
  log.Warn("w");
  EXPECT_TRUE(out.str().empty()) << out.str();
  EXPECT_FALSE(log.Enabled(Level::kWarn));
  EXPECT_TRUE(log.Enabled(Level::kError));
}

TEST(LoggerTest, ParsesTheFourLevelNamesOnly) {
  EXPECT_EQ(ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(ParseLevel("info"), Level::kInfo);
  EXPECT_EQ(ParseLevel("warn"), Level::kWarn);
  EXPECT_EQ(ParseLevel("error"), Level::kError);
  EXPECT_EQ(ParseLevel("INFO"), std::nullopt);
  EXPECT_EQ(ParseLevel("warning"), std::nullopt);
  EXPECT_EQ(ParseLevel(""), std::nullopt);
  for (const Level level : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    EXPECT_EQ(ParseLevel(LevelName(level)), level);
  }
}

TEST(LoggerTest, ValuesWithSpacesAreQuoted) {
  EXPECT_EQ(FormatValue("a b"), "\"a b\"");
  EXPECT_EQ(FormatValue("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(FormatValue(""), "\"\"");
  EXPECT_EQ(FormatValue("plain"), "plain");
}

}  // namespace
}  // namespace lokahi::logging
