package decimal

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Limits on what Parse accepts, so that a hostile input such as "1e999999999"
// cannot make it allocate without bound.
const (
	// MaxScale is the largest number of fractional digits Parse accepts.
	MaxScale = 1000
	// MaxDigits is the largest number of coefficient digits Parse accepts,
	// after applying any exponent.
	MaxDigits = 1000
)

// ErrSyntax is wrapped by every error Parse returns for a malformed input.
var ErrSyntax = errors.New("invalid decimal syntax")

// ErrRange is wrapped by the errors Parse returns for inputs beyond MaxScale
// or MaxDigits.
var ErrRange = errors.New("decimal out of range")

// ErrDivisionByZero is returned by Div when the divisor is zero.
var ErrDivisionByZero = errors.New("decimal division by zero")

// A Decimal is the number coef × 10^-scale, with scale >= 0. The zero value
// is 0.
type Decimal struct {
	coef  *big.Int // nil means zero; never modified once set
	scale int32
}

// Zero is the Decimal 0.
var Zero Decimal

var bigTen = big.NewInt(10)

// New returns coef × 10^-scale. A negative scale multiplies by 10^-scale.
func New(coef int64, scale int32) Decimal {
	c := big.NewInt(coef)
	if scale < 0 {
		c.Mul(c, pow10(int(-scale)))
		scale = 0
	}
	return Decimal{coef: c, scale: scale}
}

// NewFromInt returns the integer v.
func NewFromInt(v int64) Decimal { return New(v, 0) }

// NewFromBigInt returns coef × 10^-scale; it copies coef. Scale must not be
// negative.
func NewFromBigInt(coef *big.Int, scale int32) (Decimal, error) {
	if scale < 0 {
		return Decimal{}, fmt.Errorf("decimal: negative scale %d", scale)
	}
	return Decimal{coef: new(big.Int).Set(coef), scale: scale}, nil
}

// MustParse is Parse for constants known to be valid; it panics otherwise.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Parse reads a decimal number: an optional sign, digits with an optional
// '.' and fraction (at least one digit in all), and an optional exponent
// 'e' or 'E' with an optional sign and digits. The scale of the result is
// the number of fractional digits minus the exponent, and never below 0.
func Parse(s string) (Decimal, error) {
	d, err := parse(s)
	if err != nil {
		return Decimal{}, fmt.Errorf("decimal: parsing %s: %w", quoteInput(s), err)
	}
	return d, nil
}

func quoteInput(s string) string {
	if len(s) > 64 {
		return strconv.Quote(s[:64]) + "..."
	}
	return strconv.Quote(s)
}

func parse(s string) (Decimal, error) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var digits strings.Builder
	intDigits, fracDigits := 0, 0
	for i < len(s) && isDigit(s[i]) {
		digits.WriteByte(s[i])
		intDigits++
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			digits.WriteByte(s[i])
			fracDigits++
			i++
		}
	}
	if intDigits+fracDigits == 0 {
		return Decimal{}, ErrSyntax
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			if exp > 10*(MaxScale+MaxDigits) {
				return Decimal{}, ErrRange
			}
			exp = exp*10 + int(s[i]-'0')
			i++
		}
		if i == start {
			return Decimal{}, ErrSyntax
		}
		if expNeg {
			exp = -exp
		}
	}
	if i != len(s) {
		return Decimal{}, ErrSyntax
	}
	ds := strings.TrimLeft(digits.String(), "0")
	scale := fracDigits - exp
	shift := 0
	if scale < 0 {
		shift = -scale
		scale = 0
	}
	if scale > MaxScale {
		return Decimal{}, ErrRange
	}
	if ds == "" {
		return Decimal{coef: new(big.Int), scale: int32(scale)}, nil
	}
	if len(ds)+shift > MaxDigits {
		return Decimal{}, ErrRange
	}
	c, ok := new(big.Int).SetString(ds, 10)
	if !ok {
		return Decimal{}, ErrSyntax
	}
	if shift > 0 {
		c.Mul(c, pow10(shift))
	}
	if neg {
		c.Neg(c)
	}
	return Decimal{coef: c, scale: int32(scale)}, nil
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func pow10(n int) *big.Int {
	return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
}

func (d Decimal) c() *big.Int {
	if d.coef == nil {
		return new(big.Int)
	}
	return d.coef
}

// Scale returns the number of fractional digits d carries.
func (d Decimal) Scale() int32 { return d.scale }

// Coefficient returns a copy of d's integer coefficient: d = Coefficient ×
// 10^-Scale.
func (d Decimal) Coefficient() *big.Int { return new(big.Int).Set(d.c()) }

// String formats d in plain decimal notation with exactly Scale fractional
// digits. Negative zero prints as "0" (with its scale).
func (d Decimal) String() string {
	c := d.c()
	abs := new(big.Int).Abs(c).String()
	var b strings.Builder
	if c.Sign() < 0 {
		b.WriteByte('-')
	}
	sc := int(d.scale)
	if sc == 0 {
		b.WriteString(abs)
		return b.String()
	}
	if len(abs) <= sc {
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", sc-len(abs)))
		b.WriteString(abs)
		return b.String()
	}
	b.WriteString(abs[:len(abs)-sc])
	b.WriteByte('.')
	b.WriteString(abs[len(abs)-sc:])
	return b.String()
}

// Format implements fmt.Formatter for the verbs %s, %v and %q, so that a
// Decimal prints exactly in fmt calls.
func (d Decimal) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", d.String())
	default:
		fmt.Fprint(f, d.String())
	}
}

// align returns the coefficients of a and b brought to their common scale.
func align(a, b Decimal) (*big.Int, *big.Int, int32) {
	ac, bc := a.c(), b.c()
	switch {
	case a.scale == b.scale:
		return ac, bc, a.scale
	case a.scale < b.scale:
		return new(big.Int).Mul(ac, pow10(int(b.scale-a.scale))), bc, b.scale
	default:
		return ac, new(big.Int).Mul(bc, pow10(int(a.scale-b.scale))), a.scale
	}
}

// Cmp compares the values of d and e: -1 if d < e, 0 if equal, +1 if d > e.
func (d Decimal) Cmp(e Decimal) int {
	if d.scale == e.scale {
		return d.c().Cmp(e.c())
	}
	if ds, es := d.Sign(), e.Sign(); ds != es {
		if ds < es {
			return -1
		}
		return 1
	}
	a, b, _ := align(d, e)
	return a.Cmp(b)
}

// Equal reports whether d and e have the same value, whatever their scales.
func (d Decimal) Equal(e Decimal) bool { return d.Cmp(e) == 0 }

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.coef == nil || d.coef.Sign() == 0 }

// Sign returns -1, 0 or +1 as d is negative, zero or positive.
func (d Decimal) Sign() int {
	if d.coef == nil {
		return 0
	}
	return d.coef.Sign()
}

// Neg returns -d.
func (d Decimal) Neg() Decimal {
	return Decimal{coef: new(big.Int).Neg(d.c()), scale: d.scale}
}

// Abs returns |d|.
func (d Decimal) Abs() Decimal {
	return Decimal{coef: new(big.Int).Abs(d.c()), scale: d.scale}
}

// Add returns d + e exactly, at the larger of their scales.
func (d Decimal) Add(e Decimal) Decimal {
	a, b, s := align(d, e)
	return Decimal{coef: new(big.Int).Add(a, b), scale: s}
}

// Sub returns d - e exactly, at the larger of their scales.
func (d Decimal) Sub(e Decimal) Decimal {
	a, b, s := align(d, e)
	return Decimal{coef: new(big.Int).Sub(a, b), scale: s}
}

// Mul returns d × e exactly, at the sum of their scales.
func (d Decimal) Mul(e Decimal) Decimal {
	return Decimal{coef: new(big.Int).Mul(d.c(), e.c()), scale: d.scale + e.scale}
}

// A RoundingMode says how Quantize and Div discard digits.
type RoundingMode int

// Rounding modes.
const (
	// RoundHalfEven rounds to the nearest, ties to the even neighbour
	// (banker's rounding).
	RoundHalfEven RoundingMode = iota
	// RoundHalfUp rounds to the nearest, ties away from zero.
	RoundHalfUp
	// RoundDown rounds toward zero (truncates).
	RoundDown
	// RoundUp rounds away from zero.
	RoundUp
	// RoundFloor rounds toward negative infinity.
	RoundFloor
	// RoundCeiling rounds toward positive infinity.
	RoundCeiling
)

func (m RoundingMode) String() string {
	switch m {
	case RoundHalfEven:
		return "RoundHalfEven"
	case RoundHalfUp:
		return "RoundHalfUp"
	case RoundDown:
		return "RoundDown"
	case RoundUp:
		return "RoundUp"
	case RoundFloor:
		return "RoundFloor"
	case RoundCeiling:
		return "RoundCeiling"
	}
	return "RoundingMode(" + strconv.Itoa(int(m)) + ")"
}

// divRound returns num/den rounded by mode; den must not be zero.
func divRound(num, den *big.Int, mode RoundingMode) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() == 0 {
		return q
	}
	// The sign of the exact quotient.
	neg := (num.Sign() < 0) != (den.Sign() < 0)
	away := false
	switch mode {
	case RoundDown:
	case RoundUp:
		away = true
	case RoundFloor:
		away = neg
	case RoundCeiling:
		away = !neg
	case RoundHalfUp, RoundHalfEven:
		r2 := new(big.Int).Abs(r)
		r2.Lsh(r2, 1)
		c := r2.Cmp(new(big.Int).Abs(den))
		switch {
		case c > 0:
			away = true
		case c == 0:
			away = mode == RoundHalfUp || q.Bit(0) == 1
		}
	default:
		panic(fmt.Sprintf("decimal: unknown %v", mode))
	}
	if away {
		if neg {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// Quantize returns d with exactly scale fractional digits, rounded by mode
// when digits are discarded and padded with zeros otherwise. A negative
// scale is treated as 0.
func (d Decimal) Quantize(scale int32, mode RoundingMode) Decimal {
	if scale < 0 {
		scale = 0
	}
	c := d.c()
	switch {
	case scale == d.scale:
		return d
	case scale > d.scale:
		return Decimal{coef: new(big.Int).Mul(c, pow10(int(scale-d.scale))), scale: scale}
	default:
		return Decimal{coef: divRound(c, pow10(int(d.scale-scale)), mode), scale: scale}
	}
}

// Div returns d / e with scale fractional digits, rounded by mode. It returns
// ErrDivisionByZero when e is zero.
func (d Decimal) Div(e Decimal, scale int32, mode RoundingMode) (Decimal, error) {
	if e.IsZero() {
		return Decimal{}, ErrDivisionByZero
	}
	if scale < 0 {
		scale = 0
	}
	// d/e = (dc/ec) × 10^(es-ds); the result coefficient is that × 10^scale.
	num := new(big.Int).Set(d.c())
	den := new(big.Int).Set(e.c())
	shift := int(scale) + int(e.scale) - int(d.scale)
	if shift >= 0 {
		num.Mul(num, pow10(shift))
	} else {
		den.Mul(den, pow10(-shift))
	}
	return Decimal{coef: divRound(num, den, mode), scale: scale}, nil
}

// Normalize returns d with trailing fractional zeros removed: "1.500"
// becomes "1.5" and "2.00" becomes "2". The value is unchanged.
func (d Decimal) Normalize() Decimal {
	c := d.c()
	if c.Sign() == 0 {
		return Decimal{coef: new(big.Int)}
	}
	s := d.scale
	q, r := new(big.Int), new(big.Int)
	n := new(big.Int).Set(c)
	for s > 0 {
		q.QuoRem(n, bigTen, r)
		if r.Sign() != 0 {
			break
		}
		n.Set(q)
		s--
	}
	return Decimal{coef: n, scale: s}
}

// Float64 returns the nearest float64 to d, for display and statistics
// only; prices and quantities must stay Decimals.
func (d Decimal) Float64() float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

// Int64 returns d truncated to an integer, and whether that integer fits in
// an int64.
func (d Decimal) Int64() (int64, bool) {
	i := d.Quantize(0, RoundDown).c()
	return i.Int64(), i.IsInt64()
}

// MarshalText implements encoding.TextMarshaler.
func (d Decimal) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes d as a JSON string, "1.50", so that no JSON decoder
// reads it through a float64.
func (d Decimal) MarshalJSON() ([]byte, error) {
	s := d.String()
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a JSON string ("1.50") or number (1.50) exactly. JSON
// null leaves d unchanged.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := b
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	} else if len(s) > 0 && s[0] == '"' {
		return fmt.Errorf("decimal: unterminated JSON string %s", quoteInput(string(b)))
	}
	v, err := Parse(string(s))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
