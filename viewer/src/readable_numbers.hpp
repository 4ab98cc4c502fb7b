#pragma once

#include <string>

namespace citytwin::viewer {

// Numbers as a planner reads them in the panels and the picture.

// A value with four significant digits and no trailing zeros (33.53, 0.4661, 2), whole numbers from 1000
// on (3622), "-" when missing (NaN).
std::string formatValue(double value);
// "+12.3 (+4.5%)": the change of `value` against `base`, absolute and relative to |base|; "(new)" when the
// base is 0 and the value is not.
std::string formatChange(double value, double base);
// A length for a scale bar: 1, 2 or 5 times a power of ten metres, at most `maximumM` (0 when none fits).
double scaleBarLength(double maximumM);

}  // namespace citytwin::viewer
