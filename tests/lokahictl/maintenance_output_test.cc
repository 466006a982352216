// How lokahictl shows maintenance windows: a table snapshot at a fixed clock.

#include <gtest/gtest.h>

#include <sstream>

#include "lokahictl/output/renderer.h"
#include "maintenance.pb.h"

namespace lokahi::lokahictl::output {
namespace {

namespace pb = github::xe::lokahi;

constexpr int64_t kNow = 1796536800;  // 2026-12-06 06:00:00 UTC

google::protobuf::Timestamp In(int64_t seconds) {
  google::protobuf::Timestamp at;
  at.set_seconds(kNow + seconds);
  return at;
}

TEST(MaintenanceOutput, ListShowsWhatEachWindowSelectsWhenAndWhetherItIsOn) {
  pb::MaintenanceWindows list;
  auto* weekly = list.add_windows();
  weekly->set_id("0b6c8a1e-6f53-4a49-8d63-1f2c3b4a5d6e");
  weekly->set_selector("team=payments");
  weekly->mutable_weekly()->set_weekday("Sun");
  weekly->mutable_weekly()->set_from("02:00");
  weekly->mutable_weekly()->set_to("04:00");
  weekly->mutable_weekly()->set_time_zone("Europe/Paris");
  *weekly->mutable_next_start() = In(6 * 86400 + 19 * 3600);
  *weekly->mutable_next_end() = In(6 * 86400 + 21 * 3600);
  auto* now = list.add_windows();
  now->set_id("7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6");
  now->add_check_ids("6f1c2a9e-0d1b-4c51-9a3e-2b7d8f0c1a22");
  *now->mutable_start() = In(-600);
  *now->mutable_end() = In(1200);
  *now->mutable_next_start() = In(-600);
  *now->mutable_next_end() = In(1200);
  now->set_active(true);
  now->set_reason("db upgrade");
  std::ostringstream out;
  Renderer(Format::kTable, {std::chrono::system_clock::from_time_t(kNow), false}).Print(list, out);
  EXPECT_EQ(out.str(),
            R"(ID                                     CHECKS                                       WHEN                                           NOW                   REASON
0b6c8a1e-6f53-4a49-8d63-1f2c3b4a5d6e   team=payments                                every Sun 02:00-04:00 Europe/Paris             starts in 6d          -
7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6   check 6f1c2a9e-0d1b-4c51-9a3e-2b7d8f0c1a22   2026-12-06T05:50:00Z to 2026-12-06T06:20:00Z   active, ends in 20m   db upgrade
)");
}

TEST(MaintenanceOutput, AnEmptyListSaysSo) {
  std::ostringstream out;
  Renderer(Format::kTable, {}).Print(pb::MaintenanceWindows(), out);
  EXPECT_EQ(out.str(), "no maintenance windows\n");
}

}  // namespace
}  // namespace lokahi::lokahictl::output
