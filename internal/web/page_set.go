package web

import (
	"html/template"
	"text/template/parse"

	foyer "github.com/foyer-events/foyer"
)

// pageSet returns the template set of one page file: its own templates,
// then copies of the layout (unless the page is a "sheet" for paper, which
// renderBytes runs instead) and of just those partials of lib that it
// uses, directly or through another. A page's own definition of a block
// ("title", "head", "nav") is kept over the layout's.
//
// Each page needs a set of its own (they all define "content"), and a set
// holds its own copy of every template in it; with every partial in every
// page, the parsed views were 9 MB, most of an idle server's memory.
func pageSet(lib *template.Template, funcs template.FuncMap, file string) (*template.Template, error) {
	t, err := template.New("").Funcs(funcs).ParseFS(foyer.Views, file)
	if err != nil {
		return nil, err
	}
	var queue []string
	if t.Lookup("sheet") == nil {
		queue = append(queue, "layout") // a page for paper brings its own frame
	}
	for _, own := range t.Templates() {
		if own.Tree != nil {
			queue = append(queue, own.Name())
		}
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		def := t.Lookup(name)
		if def == nil || def.Tree == nil {
			from := lib.Lookup(name)
			if from == nil || from.Tree == nil {
				continue // executing it reports the missing template
			}
			if def, err = t.AddParseTree(name, from.Tree.Copy()); err != nil {
				return nil, err
			}
		}
		queue = append(queue, calledTemplates(def.Tree.Root)...)
	}
	return t, nil
}

// calledTemplates returns the names of the templates that n calls with
// {{template}} (a {{block}} is a definition and a call).
func calledTemplates(n parse.Node) []string {
	var names []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.TemplateNode:
			names = append(names, n.Name)
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(n)
	return names
}
