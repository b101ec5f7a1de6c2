#pragma once
// One table of names per enum: to_string and the input readers read the same table, so a value
// prints the way the contract spells it and is read back the same way.
//
//   inline constexpr EnumNames<Topology, 3> kTopologyNames = {{
//       {Topology::kFatTree, "fat-tree"}, ...}};
//   const char* to_string(Topology t) { return name_in(kTopologyNames, t); }
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace cirrus {

template <class E>
struct EnumName {
  E value;
  const char* name;
};

template <class E, std::size_t N>
using EnumNames = std::array<EnumName<E>, N>;

// The value's name; "?" for a value missing from the table (a bug the table's test catches).
template <class E, std::size_t N>
constexpr const char* name_in(const EnumNames<E, N>& names, E value) {
  for (const auto& n : names) {
    if (n.value == value) return n.name;
  }
  return "?";
}

// The value a name stands for, or nullopt.
template <class E, std::size_t N>
constexpr std::optional<E> value_in(const EnumNames<E, N>& names, std::string_view name) {
  for (const auto& n : names) {
    if (name == n.name) return n.value;
  }
  return std::nullopt;
}

}  // namespace cirrus
