#pragma once
// Postgres array literals for passing many values in one parameter (libpqxx 6.4 has no
// conversion from std::vector), e.g. `WHERE id = ANY($1::uuid[])`.

#include <cstdint>
#include <string>
#include <vector>

namespace lokahi::postgres {

std::string TextArray(const std::vector<std::string>& values);
std::string IntArray(const std::vector<int64_t>& values);

}  // namespace lokahi::postgres
