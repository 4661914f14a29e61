package decimal

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	cases := []struct{ in, out string }{
		{"0", "0"},
		{"-0", "0"},
		{"+0.00", "0.00"},
		{"1", "1"},
		{"1.50", "1.50"},
		{"-1.50", "-1.50"},
		{"007.10", "7.10"},
		{".5", "0.5"},
		{"5.", "5"},
		{"0.00000001", "0.00000001"},
		{"-0.00000001", "-0.00000001"},
		{"1e3", "1000"},
		{"1.5e-3", "0.0015"},
		{"1.5E+2", "150"},
		{"123.456e1", "1234.56"},
		{"99999999999999999999999999.123456789", "99999999999999999999999999.123456789"},
	}
	for _, c := range cases {
		d, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := d.String(); got != c.out {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, got, c.out)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	bad := []string{"", "-", "+", ".", "-.", "abc", "1.2.3", " 1", "1 ", "1e", "1e+", "e5",
		"NaN", "Inf", "-Inf", "0x10", "1_000", "1,5", "--1", "1..2", "١", "1e5x", "\x00"}
	for _, s := range bad {
		_, err := Parse(s)
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %v, want ErrSyntax", s, err)
		}
		if err != nil && !strings.Contains(err.Error(), "decimal: parsing") {
			t.Errorf("Parse(%q) error %q does not say what failed", s, err)
		}
	}
	huge := []string{"1e999999999999999999999", "1e-999999", "0." + strings.Repeat("0", MaxScale+1),
		strings.Repeat("9", MaxDigits+1), "1e" + "2000"}
	for _, s := range huge {
		if _, err := Parse(s); !errors.Is(err, ErrRange) {
			t.Errorf("Parse(%.20q...) = %v, want ErrRange", s, err)
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse of garbage did not panic")
		}
	}()
	MustParse("x")
}

func TestZeroValue(t *testing.T) {
	var z Decimal
	if !z.IsZero() || z.Sign() != 0 || z.String() != "0" {
		t.Errorf("zero value: IsZero %v Sign %d String %q", z.IsZero(), z.Sign(), z)
	}
	if !z.Add(MustParse("1.5")).Equal(MustParse("1.5")) {
		t.Error("0 + 1.5 != 1.5")
	}
	if !z.Neg().IsZero() || z.Mul(MustParse("3")).Sign() != 0 {
		t.Error("zero arithmetic")
	}
}

func TestArithmetic(t *testing.T) {
	cases := []struct {
		a, b          string
		add, sub, mul string
		cmp           int
	}{
		{"0.1", "0.2", "0.3", "-0.1", "0.02", -1},
		{"1.50", "1.5", "3.00", "0.00", "2.250", 0},
		{"-2", "0.001", "-1.999", "-2.001", "-0.002", -1},
		{"100", "-100", "0", "200", "-10000", 1},
		{"123456789012345678901234567890.5", "0.5", "123456789012345678901234567891.0",
			"123456789012345678901234567890.0", "61728394506172839450617283945.25", 1},
	}
	for _, c := range cases {
		a, b := MustParse(c.a), MustParse(c.b)
		if got := a.Add(b).String(); got != c.add {
			t.Errorf("%s + %s = %s, want %s", c.a, c.b, got, c.add)
		}
		if got := a.Sub(b).String(); got != c.sub {
			t.Errorf("%s - %s = %s, want %s", c.a, c.b, got, c.sub)
		}
		if got := a.Mul(b).String(); got != c.mul {
			t.Errorf("%s * %s = %s, want %s", c.a, c.b, got, c.mul)
		}
		if got := a.Cmp(b); got != c.cmp {
			t.Errorf("Cmp(%s, %s) = %d, want %d", c.a, c.b, got, c.cmp)
		}
		if got := b.Cmp(a); got != -c.cmp {
			t.Errorf("Cmp(%s, %s) = %d, want %d", c.b, c.a, got, -c.cmp)
		}
	}
	// Operands are never modified.
	a := MustParse("1.25")
	_ = a.Add(a).Mul(a).Neg().Sub(a)
	if a.String() != "1.25" {
		t.Errorf("operand modified: %s", a)
	}
}

func TestSignNegAbs(t *testing.T) {
	for _, c := range []struct {
		in   string
		sign int
		neg  string
		abs  string
	}{{"1.5", 1, "-1.5", "1.5"}, {"-1.5", -1, "1.5", "1.5"}, {"0.0", 0, "0.0", "0.0"}} {
		d := MustParse(c.in)
		if d.Sign() != c.sign || d.Neg().String() != c.neg || d.Abs().String() != c.abs {
			t.Errorf("%s: Sign %d Neg %s Abs %s", c.in, d.Sign(), d.Neg(), d.Abs())
		}
	}
}

func TestQuantize(t *testing.T) {
	cases := []struct {
		in    string
		scale int32
		mode  RoundingMode
		out   string
	}{
		{"1.25", 1, RoundHalfEven, "1.2"},
		{"1.35", 1, RoundHalfEven, "1.4"},
		{"1.25", 1, RoundHalfUp, "1.3"},
		{"-1.25", 1, RoundHalfUp, "-1.3"},
		{"-1.25", 1, RoundHalfEven, "-1.2"},
		{"1.26", 1, RoundHalfEven, "1.3"},
		{"1.24", 1, RoundHalfUp, "1.2"},
		{"1.21", 1, RoundUp, "1.3"},
		{"-1.21", 1, RoundUp, "-1.3"},
		{"1.29", 1, RoundDown, "1.2"},
		{"-1.29", 1, RoundDown, "-1.2"},
		{"-1.21", 1, RoundFloor, "-1.3"},
		{"1.29", 1, RoundFloor, "1.2"},
		{"1.21", 1, RoundCeiling, "1.3"},
		{"-1.29", 1, RoundCeiling, "-1.2"},
		{"1.2", 4, RoundDown, "1.2000"},
		{"1.20", 2, RoundDown, "1.20"},
		{"9.99", 0, RoundHalfUp, "10"},
		{"1.5", -3, RoundHalfUp, "2"},
	}
	for _, c := range cases {
		if got := MustParse(c.in).Quantize(c.scale, c.mode).String(); got != c.out {
			t.Errorf("Quantize(%s, %d, %v) = %s, want %s", c.in, c.scale, c.mode, got, c.out)
		}
	}
}

func TestDiv(t *testing.T) {
	cases := []struct {
		a, b  string
		scale int32
		mode  RoundingMode
		out   string
	}{
		{"1", "3", 5, RoundHalfEven, "0.33333"},
		{"2", "3", 5, RoundHalfEven, "0.66667"},
		{"2", "3", 5, RoundDown, "0.66666"},
		{"-2", "3", 2, RoundFloor, "-0.67"},
		{"-2", "3", 2, RoundCeiling, "-0.66"},
		{"10", "4", 0, RoundHalfEven, "2"},
		{"10", "4", 0, RoundHalfUp, "3"},
		{"0.0001", "0.01", 2, RoundHalfEven, "0.01"},
		{"12345.678", "0.001", 0, RoundHalfEven, "12345678"},
		{"1", "-8", 3, RoundHalfEven, "-0.125"},
	}
	for _, c := range cases {
		got, err := MustParse(c.a).Div(MustParse(c.b), c.scale, c.mode)
		if err != nil || got.String() != c.out {
			t.Errorf("%s / %s (%d, %v) = %s, %v; want %s", c.a, c.b, c.scale, c.mode, got, err, c.out)
		}
	}
	if _, err := MustParse("1").Div(MustParse("0.000"), 2, RoundDown); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("division by zero: %v", err)
	}
}

func TestNormalizeAndConversions(t *testing.T) {
	if got := MustParse("1.500").Normalize().String(); got != "1.5" {
		t.Errorf("Normalize = %s", got)
	}
	if got := MustParse("200.00").Normalize().String(); got != "200" {
		t.Errorf("Normalize = %s", got)
	}
	if got := MustParse("-0.000").Normalize().String(); got != "0" {
		t.Errorf("Normalize = %s", got)
	}
	if f := MustParse("0.125").Float64(); f != 0.125 {
		t.Errorf("Float64 = %v", f)
	}
	if i, ok := MustParse("-12.9").Int64(); !ok || i != -12 {
		t.Errorf("Int64 = %d %v", i, ok)
	}
	if _, ok := MustParse("1e30").Int64(); ok {
		t.Error("1e30 fits in an int64?")
	}
	if d := New(-15, 3); d.String() != "-0.015" {
		t.Errorf("New = %s", d)
	}
	if d := New(15, -2); d.String() != "1500" {
		t.Errorf("New neg scale = %s", d)
	}
	d, err := NewFromBigInt(big.NewInt(7), 2)
	if err != nil || d.String() != "0.07" || d.Scale() != 2 || d.Coefficient().Int64() != 7 {
		t.Errorf("NewFromBigInt = %s %v", d, err)
	}
	if _, err := NewFromBigInt(big.NewInt(7), -1); err == nil {
		t.Error("NewFromBigInt accepted a negative scale")
	}
}

func TestJSON(t *testing.T) {
	type order struct {
		Price Decimal  `json:"price"`
		Qty   Decimal  `json:"qty"`
		Fee   *Decimal `json:"fee,omitempty"`
	}
	var o order
	in := `{"price":"0.10","qty":12.5000,"fee":"-0.001"}`
	if err := json.Unmarshal([]byte(in), &o); err != nil {
		t.Fatal(err)
	}
	if o.Price.String() != "0.10" || o.Qty.String() != "12.5000" || o.Fee.String() != "-0.001" {
		t.Errorf("decoded %s %s %s", o.Price, o.Qty, o.Fee)
	}
	out, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"price":"0.10","qty":"12.5000","fee":"-0.001"}`; string(out) != want {
		t.Errorf("encoded %s, want %s", out, want)
	}
	// null leaves the value alone.
	o2 := order{Price: MustParse("3")}
	if err := json.Unmarshal([]byte(`{"price":null}`), &o2); err != nil || o2.Price.String() != "3" {
		t.Errorf("null: %s %v", o2.Price, err)
	}
	for _, bad := range []string{`{"price":"abc"}`, `{"price":true}`, `{"price":""}`, `{"price":"1.2.3"}`,
		`{"price":[1]}`, `{"price":{}}`} {
		var o order
		if err := json.Unmarshal([]byte(bad), &o); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
	var d Decimal
	if err := d.UnmarshalJSON([]byte(`"1`)); err == nil {
		t.Error("unterminated string accepted")
	}
	if err := d.UnmarshalText([]byte("2.5")); err != nil || d.String() != "2.5" {
		t.Errorf("UnmarshalText: %s %v", d, err)
	}
	if b, _ := d.MarshalText(); string(b) != "2.5" {
		t.Errorf("MarshalText: %s", b)
	}
}

func FuzzParseFormat(f *testing.F) {
	for _, s := range []string{"0", "-1.50", "1e3", "0.00000001", ".5", "abc", "1.5e-3", "-0", "", "1e99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		out := d.String()
		d2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q does not parse: %v", s, out, err)
		}
		if d2.String() != out || d2.Cmp(d) != 0 || d2.Scale() != d.Scale() {
			t.Fatalf("round trip %q -> %q -> %q", s, out, d2.String())
		}
		// JSON round trip too.
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var d3 Decimal
		if err := json.Unmarshal(b, &d3); err != nil || d3.String() != out {
			t.Fatalf("JSON round trip %q -> %s -> %q, %v", s, b, d3.String(), err)
		}
		// x + (-x) == 0, x - x == 0.
		if !d.Add(d.Neg()).IsZero() || !d.Sub(d).IsZero() {
			t.Fatalf("%s: x - x != 0", out)
		}
	})
}
