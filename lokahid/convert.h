#pragma once
// The one place lokahid converts between protobuf messages and the domain model.

#include "lib/checks/check.h"
#include "lokahi.pb.h"

namespace lokahi::lokahid {

checks::CheckOptions OptionsFromCreate(const github::xe::lokahi::CreateOpts& opts);
// Put semantics: fields left empty or zero keep the current value.
checks::CheckOptions MergeOptions(const checks::CheckOptions& current,
                                  const github::xe::lokahi::Check& patch);
github::xe::lokahi::Check CheckToProto(const checks::Check& check);
void SetTimestamp(google::protobuf::Timestamp* out, checks::Timestamp t);

}  // namespace lokahi::lokahid
