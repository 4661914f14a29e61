// Package decimal is an exact decimal number for prices and quantities.
// Money is never a float64: a Decimal is an arbitrary-precision integer
// coefficient and a decimal scale, so that "0.1" is exactly one tenth, sums
// and products are exact, and a value parsed from a venue's decimal string
// formats back to the same string.
//
// The zero value is 0 and ready to use. Decimals are immutable values: every
// operation returns a new Decimal and none modifies its operands, so they may
// be shared between goroutines and copied freely.
//
// Parse accepts an optional sign, digits with an optional fraction, and an
// optional exponent ("1.5e-3"); it rejects everything else (spaces, "NaN",
// "Inf", hex, a lone ".") with an error naming the input. String prints plain
// decimal notation, never an exponent, keeping the scale the value was parsed
// with: Parse("1.50").String() is "1.50". Cmp and Equal compare values, so
// "1.50" and "1.5" are equal.
//
// Add, Sub and Mul are exact. Division rarely is, so Div takes the scale of
// the result and a RoundingMode; Quantize rounds to a scale the same way,
// and is how a price is brought onto a venue's tick size.
//
// Decimals marshal to JSON as strings ("1.50") and unmarshal from JSON
// strings or numbers, never going through float64.
package decimal
