package i18n

import "testing"

func TestSpaceArgs(t *testing.T) {
	cases := []struct {
		msg  string
		args []any
		want string
	}{
		{"感谢您报名参加%s。", []any{"Hannover Forum"}, "感谢您报名参加 Hannover Forum。"},
		{"感谢您报名参加%s。", []any{"中德论坛"}, "感谢您报名参加中德论坛。"},
		{"您的入场券：%s", []any{"Forum 2027"}, "您的入场券：Forum 2027"},
		{"尊敬的%[3]s%[1]s：", []any{"博士", "Schäfer", "Schäfer Anna"}, "尊敬的 Schäfer Anna 博士："},
		{"尊敬的%[3]s女士：", []any{"", "王小明", "王小明"}, "尊敬的王小明女士："},
		{"%[2]s%[1]s", []any{"教授", "Klaus Müller"}, "Klaus Müller 教授"},
		{"%q 与 %q 时间冲突", []any{"A", "B"}, `"A" 与 "B" 时间冲突`},
		{"限%d人，%s报名", []any{40, "Web"}, "限40人，Web 报名"},
		{"100%%完成%s", []any{"OK"}, "100%完成 OK"},
		{"2027 中德论坛%s", []any{"2028"}, "2027 中德论坛 2028"},
	}
	for _, c := range cases {
		catalogues["zh"]["test.spacing"] = c.msg
		if got := T("zh", "test.spacing", c.args...); got != c.want {
			t.Errorf("T(%q, %v) = %q, want %q", c.msg, c.args, got, c.want)
		}
	}
	delete(catalogues["zh"], "test.spacing")
	catalogues["de"]["test.spacing"] = "Anmeldung%s"
	if got := T("de", "test.spacing", "X"); got != "AnmeldungX" {
		t.Errorf("German text was spaced: %q", got)
	}
	delete(catalogues["de"], "test.spacing")
}
