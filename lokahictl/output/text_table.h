#pragma once
// Aligned plain-text columns for terminals, optionally with ANSI colours on some cells.

#include <ostream>
#include <string>
#include <vector>

namespace lokahi::lokahictl::output {

// One table cell; `color` is an ANSI SGR code ("32" green…) or empty.
struct Cell {
  Cell(std::string t) : text(std::move(t)) {}  // NOLINT: plain strings are cells
  Cell(const char* t) : text(t) {}             // NOLINT
  Cell(std::string t, std::string c) : text(std::move(t)), color(std::move(c)) {}
  std::string text;
  std::string color;
};

class TextTable {
 public:
  // No headers: a key/value listing (the first column is the key).
  explicit TextTable(std::vector<std::string> headers = {});
  void AddRow(std::vector<Cell> row);
  // Columns padded to their widest cell (in UTF-8 characters), three spaces apart; the last column
  // is not padded. Colours are written only when `color`.
  void Print(std::ostream& out, bool color) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<Cell>> rows_;
};

// Characters (UTF-8 code points) in `text`.
size_t DisplayWidth(const std::string& text);
// `text` cut to `max` characters, the last one "…" when cut.
std::string Shortened(const std::string& text, size_t max);

}  // namespace lokahi::lokahictl::output
