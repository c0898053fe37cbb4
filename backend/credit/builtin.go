package credit

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// builtin is a provider whose public documentation gives a balance
// endpoint that answers to the same API key as its chat API.
type builtin struct {
	name  string
	docs  string
	match func(base *url.URL) bool
	spec  func(base *url.URL, key string) Spec
}

// builtins are checked in order against a channel's base URL host. Each
// one's endpoint and fields are as its documentation (docs) gives them.
// Providers whose documentation gives no balance endpoint (Zhipu GLM,
// MiniMax, Anthropic, OpenAI, Gemini) have none: a custom query covers them.
var builtins = []builtin{
	{
		// GET /user/balance → {"is_available": true, "balance_infos":
		// [{"currency":"CNY","total_balance":"110.00","granted_balance":
		// "10.00","topped_up_balance":"100.00"}]} (amounts are strings).
		name: "deepseek", docs: "https://api-docs.deepseek.com/api/get-user-balance",
		match: hostIs("api.deepseek.com"),
		spec: func(_ *url.URL, key string) Spec {
			return single("deepseek", "https://api-docs.deepseek.com/api/get-user-balance",
				bearer("https://api.deepseek.com/user/balance", key), parseDeepSeek)
		},
	},
	{
		// GET /api/v1/key → {"data": {"limit": 100|null, "limit_remaining":
		// 74.5|null, "limit_reset": "monthly"|null, "usage": 25.5, …}}: the
		// key's own limit, for any key. GET /api/v1/credits → {"data":
		// {"total_credits": 100.5, "total_usage": 25.75}} needs a
		// management key, so it is optional: the account's credits when
		// the key has no limit of its own. Limits reset at midnight UTC,
		// weeks start on Monday.
		name: "openrouter", docs: "https://openrouter.ai/docs/api/api-reference/api-keys/get-current-key",
		match: hostIs("openrouter.ai"),
		spec: func(_ *url.URL, key string) Spec {
			credits := bearer("https://openrouter.ai/api/v1/credits", key)
			credits.Optional = true
			return Spec{Provider: "openrouter", Docs: "https://openrouter.ai/docs/api/api-reference/api-keys/get-current-key",
				Requests: []Request{bearer("https://openrouter.ai/api/v1/key", key), credits}, parse: parseOpenRouter}
		},
	},
	{
		// GET /v1/users/me/balance → {"code": 0, "data": {"available_balance":
		// 49.58894, "voucher_balance": 46.58893, "cash_balance": 3.00001},
		// "scode": "0x0", "status": true}. available_balance <= 0 refuses
		// calls. The China platform (.cn) bills in CNY, the international
		// one (.ai) in USD.
		name: "moonshot", docs: "https://platform.moonshot.cn/docs/api/balance",
		match: hostIs("api.moonshot.cn", "api.moonshot.ai"),
		spec: func(base *url.URL, key string) Spec {
			unit := "USD"
			if strings.HasSuffix(base.Hostname(), ".cn") {
				unit = "CNY"
			}
			return single("moonshot", "https://platform.moonshot.cn/docs/api/balance",
				bearer("https://"+base.Hostname()+"/v1/users/me/balance", key),
				func(a []Answer, _ time.Time) (Result, error) { return parseMoonshot(a, unit) })
		},
	},
	{
		// GET /v1/user/info → {"code": 20000, "status": true, "data":
		// {"balance": "0.88", "chargeBalance": "88.00", "totalBalance":
		// "88.88", "status": "normal", …}} (amounts are strings). China
		// (.cn) in CNY, international (.com) in USD.
		name: "siliconflow", docs: "https://docs.siliconflow.cn/cn/api-reference/userinfo/get-user-info",
		match: hostIs("api.siliconflow.cn", "api.siliconflow.com"),
		spec: func(base *url.URL, key string) Spec {
			unit := "USD"
			if strings.HasSuffix(base.Hostname(), ".cn") {
				unit = "CNY"
			}
			return single("siliconflow", "https://docs.siliconflow.cn/cn/api-reference/userinfo/get-user-info",
				bearer("https://"+base.Hostname()+"/v1/user/info", key),
				func(a []Answer, _ time.Time) (Result, error) { return parseSiliconFlow(a, unit) })
		},
	},
	{
		// GET /openapi/v1/billing/balance/detail → {"availableBalance":
		// "1000000", "cashBalance": "800000", "creditLimit": "200000", …}
		// in 1/10000 USD.
		name: "novita", docs: "https://novita.ai/docs/api-reference/basic-get-user-balance",
		match: hostIs("api.novita.ai"),
		spec: func(_ *url.URL, key string) Spec {
			return single("novita", "https://novita.ai/docs/api-reference/basic-get-user-balance",
				bearer("https://api.novita.ai/openapi/v1/billing/balance/detail", key), parseNovita)
		},
	},
}

func hostIs(hosts ...string) func(*url.URL) bool {
	return func(u *url.URL) bool {
		h := strings.ToLower(u.Hostname())
		for _, want := range hosts {
			if h == want {
				return true
			}
		}
		return false
	}
}

func bearer(u, key string) Request {
	return Request{Method: "GET", URL: u, Header: map[string]string{"Authorization": "Bearer " + key, "Accept": "application/json"}}
}

func single(name, docs string, r Request, parse func([]Answer, time.Time) (Result, error)) Spec {
	return Spec{Provider: name, Docs: docs, Requests: []Request{r}, parse: parse}
}

func parseDeepSeek(a []Answer, _ time.Time) (Result, error) {
	doc, err := jsonBody(Request{URL: "https://api.deepseek.com"}, a[0])
	if err != nil {
		return Result{}, err
	}
	infos := doc.Get("balance_infos")
	if !infos.IsArray() {
		return Result{}, fmt.Errorf("the answer has no balance_infos list")
	}
	var r Result
	if v := doc.Get("is_available"); v.IsBool() {
		r.Available = ptr(v.Bool())
	}
	// One entry per currency; the first with money in it, else the first.
	list := infos.Array()
	if len(list) == 0 {
		if r.Available != nil && !*r.Available {
			return r, nil
		}
		return Result{}, fmt.Errorf("the answer lists no balance")
	}
	pick := list[0]
	for _, e := range list {
		if f, err := amount(e.Get("total_balance"), "total_balance"); err == nil && f != nil && *f > 0 {
			pick = e
			break
		}
	}
	if r.Remaining, err = amount(pick.Get("total_balance"), "total_balance"); err != nil {
		return Result{}, err
	}
	if r.Remaining == nil {
		return Result{}, fmt.Errorf("the answer has no total_balance")
	}
	r.Unit = pick.Get("currency").String()
	return r, nil
}

func parseOpenRouter(a []Answer, now time.Time) (Result, error) {
	key, err := jsonBody(Request{URL: "https://openrouter.ai"}, a[0])
	if err != nil {
		return Result{}, err
	}
	data := key.Get("data")
	if !data.IsObject() {
		return Result{}, fmt.Errorf("the answer has no data object")
	}
	r := Result{Unit: "USD"}
	if r.Used, err = amount(data.Get("usage"), "usage"); err != nil {
		return Result{}, err
	}
	if r.Remaining, err = amount(data.Get("limit_remaining"), "limit_remaining"); err != nil {
		return Result{}, err
	}
	if r.Remaining != nil {
		if p := data.Get("limit_reset"); p.Type == gjson.String {
			r.ResetAt, _ = nextPeriod(p.Str, now)
		}
		return r, nil
	}
	// No limit on the key: the account's credits, when the key may read them.
	if c := a[1]; c.Err == nil && c.Status/100 == 2 {
		doc, err := jsonBody(Request{URL: "https://openrouter.ai"}, c)
		if err != nil {
			return Result{}, err
		}
		total, err := amount(doc.Get("data.total_credits"), "total_credits")
		if err != nil {
			return Result{}, err
		}
		used, err := amount(doc.Get("data.total_usage"), "total_usage")
		if err != nil {
			return Result{}, err
		}
		if total != nil && used != nil {
			r.Remaining, r.Used = ptr(*total-*used), used
		}
	}
	return r, nil
}

func parseMoonshot(a []Answer, unit string) (Result, error) {
	doc, err := jsonBody(Request{URL: "https://api.moonshot.cn"}, a[0])
	if err != nil {
		return Result{}, err
	}
	if c := doc.Get("code"); c.Exists() && c.Int() != 0 {
		return Result{}, fmt.Errorf("the provider answered code %s%s", c.Raw, detail([]byte(doc.Raw)))
	}
	r := Result{Unit: unit}
	if r.Remaining, err = amount(doc.Get("data.available_balance"), "available_balance"); err != nil {
		return Result{}, err
	}
	if r.Remaining == nil {
		return Result{}, fmt.Errorf("the answer has no data.available_balance")
	}
	return r, nil
}

func parseSiliconFlow(a []Answer, unit string) (Result, error) {
	doc, err := jsonBody(Request{URL: "https://api.siliconflow.cn"}, a[0])
	if err != nil {
		return Result{}, err
	}
	if c := doc.Get("code"); c.Exists() && c.Int() != 20000 {
		return Result{}, fmt.Errorf("the provider answered code %s%s", c.Raw, detail([]byte(doc.Raw)))
	}
	r := Result{Unit: unit}
	if r.Remaining, err = amount(doc.Get("data.totalBalance"), "totalBalance"); err != nil {
		return Result{}, err
	}
	if r.Remaining == nil {
		return Result{}, fmt.Errorf("the answer has no data.totalBalance")
	}
	return r, nil
}

func parseNovita(a []Answer, _ time.Time) (Result, error) {
	doc, err := jsonBody(Request{URL: "https://api.novita.ai"}, a[0])
	if err != nil {
		return Result{}, err
	}
	rem, err := amount(doc.Get("availableBalance"), "availableBalance")
	if err != nil {
		return Result{}, err
	}
	if rem == nil {
		return Result{}, fmt.Errorf("the answer has no availableBalance")
	}
	return Result{Remaining: ptr(*rem / 10000), Unit: "USD"}, nil
}
