package gemini

import (
	"encoding/json"
	"testing"
)

func TestCleanSchema(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
	}{
		{"rule 3: $schema and additionalProperties are removed",
			`{"$schema":"x","type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}`,
			`{"properties":{"a":{"type":"string"}},"type":"object"}`},
		{"an object without properties means no parameters",
			`{"type":"object","properties":{},"additionalProperties":false}`, ``},
		{"a type array with null becomes type and nullable",
			`{"type":"object","properties":{"a":{"type":["string","null"]}}}`,
			`{"properties":{"a":{"nullable":true,"type":"string"}},"type":"object"}`},
		{"a type array of two types becomes anyOf",
			`{"type":"object","properties":{"a":{"type":["string","number"]}}}`,
			`{"properties":{"a":{"anyOf":[{"type":"string"},{"type":"number"}]}},"type":"object"}`},
		{"const becomes a one-value enum",
			`{"type":"object","properties":{"a":{"type":"string","const":"x"}}}`,
			`{"properties":{"a":{"enum":["x"],"type":"string"}},"type":"object"}`},
		{"unknown formats are dropped and known ones kept",
			`{"type":"object","properties":{"u":{"type":"string","format":"uri"},"d":{"type":"string","format":"date-time"},"n":{"type":"integer","format":"int64"}}}`,
			`{"properties":{"d":{"format":"date-time","type":"string"},"n":{"format":"int64","type":"integer"},"u":{"type":"string"}},"type":"object"}`},
		{"exclusive bounds become inclusive ones",
			`{"type":"object","properties":{"i":{"type":"integer","exclusiveMinimum":0},"n":{"type":"number","exclusiveMaximum":1.5}}}`,
			`{"properties":{"i":{"minimum":1,"type":"integer"},"n":{"maximum":1.5,"type":"number"}},"type":"object"}`},
		{"examples, default, title, propertyNames and patternProperties are dropped",
			`{"type":"object","title":"T","properties":{"m":{"type":"object","default":{},"examples":[1],"propertyNames":{"type":"string"},"patternProperties":{"x":{}}}}}`,
			`{"properties":{"m":{"type":"object"}},"type":"object"}`},
		{"local $refs are inlined from $defs",
			`{"type":"object","$defs":{"P":{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]}},"properties":{"p":{"$ref":"#/$defs/P","description":"a point"}}}`,
			`{"properties":{"p":{"description":"a point","properties":{"x":{"type":"number"}},"required":["x"],"type":"object"}},"type":"object"}`},
		{"a recursive $ref stops at an open object",
			`{"type":"object","definitions":{"N":{"type":"object","properties":{"next":{"$ref":"#/definitions/N"}}}},"properties":{"n":{"$ref":"#/definitions/N"}}}`,
			`{"properties":{"n":{"properties":{"next":{"properties":{"next":{"properties":{"next":{"properties":{"next":{"properties":{"next":{"properties":{"next":{"properties":{"next":{"type":"object"}},"type":"object"}},"type":"object"}},"type":"object"}},"type":"object"}},"type":"object"}},"type":"object"}},"type":"object"}},"type":"object"}`},
		{"oneOf becomes anyOf and a null alternative becomes nullable",
			`{"type":"object","properties":{"a":{"oneOf":[{"type":"string"},{"type":"integer"},{"type":"null"}]}}}`,
			`{"properties":{"a":{"anyOf":[{"type":"string"},{"type":"integer"}],"nullable":true}},"type":"object"}`},
		{"allOf is merged",
			`{"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"properties":{"b":{"type":"boolean"}}}]}`,
			`{"properties":{"a":{"type":"string"},"b":{"type":"boolean"}},"required":["a"],"type":"object"}`},
		{"required names only properties that exist",
			`{"type":"object","properties":{"a":{"type":"string"}},"required":["a","ghost"]}`,
			`{"properties":{"a":{"type":"string"}},"required":["a"],"type":"object"}`},
		{"string enums of an anyOf are merged",
			`{"type":"object","properties":{"s":{"anyOf":[{"type":"string","enum":["a","b"]},{"type":"string","const":"c"}]}}}`,
			`{"properties":{"s":{"enum":["a","b","c"],"type":"string"}},"type":"object"}`},
		{"arrays keep their items and get an empty one when missing",
			`{"type":"object","properties":{"l":{"type":"array","items":{"type":"string","minLength":2}},"m":{"type":"array","maxItems":3}}}`,
			`{"properties":{"l":{"items":{"minLength":2,"type":"string"},"type":"array"},"m":{"items":{},"maxItems":3,"type":"array"}},"type":"object"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := CleanSchema(json.RawMessage(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("CleanSchema\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestGeminiSchemaBecomesJSONSchema(t *testing.T) {
	t.Parallel()
	got, err := toJSONSchema([]byte(`{"type":"OBJECT","propertyOrdering":["a"],"properties":{"a":{"type":"STRING","nullable":true,"format":"enum","enum":["x"]},"l":{"type":"ARRAY","items":{"type":"INTEGER"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"properties":{"a":{"enum":["x"],"type":["string","null"]},"l":{"items":{"type":"integer"},"type":"array"}},"type":"object"}`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
