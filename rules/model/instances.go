package model

import (
	"context"
	"strings"

	"github.com/clerkguard/clerkguard/rules/jsast"
	"github.com/clerkguard/clerkguard/rules/project"
)

// instance is one `new C(args)` expression: the class it instantiates
// and the arguments it was built with. Code inside C's methods reached
// through that instance (a router built by `new UsersRouter(ctrl).route()`)
// reads `this.controller` as the argument the constructor stored there.
type instance struct {
	file  *jsast.File // where the new expression is
	new   *jsast.Node
	cfile *jsast.File // where the class is declared
	class *jsast.Node
}

type instanceKey struct{}

// withInstance returns ctx carrying the instance whose methods the
// resolution that follows runs in.
func withInstance(ctx context.Context, in instance) context.Context {
	return context.WithValue(ctx, instanceKey{}, in)
}

// instanceOf returns the `new C(args)` a receiver expression denotes
// (`new C(dep)` itself, or a name bound to it, across modules) and the
// class it instantiates; ok is false when either cannot be followed.
func (m *Model) instanceOf(ctx context.Context, f *jsast.File, recv *jsast.Node) (instance, bool) {
	of, ov, err := m.objectValue(ctx, f, recv, 0)
	ov = jsast.Unwrap(ov)
	if err != nil || ov == nil || ov.Type != "new_expression" {
		return instance{}, false
	}
	cf, cls, err := m.objectValue(ctx, of, ov.ChildByField("constructor"), 0)
	if err != nil || !isClass(cls) {
		return instance{}, false
	}
	return instance{file: of, new: ov, cfile: cf, class: cls}, true
}

func isClass(n *jsast.Node) bool {
	return n != nil && (n.Type == "class_declaration" || n.Type == "class" || n.Type == "abstract_class_declaration")
}

// instanceRouterMethod resolves a value built by a method of a class
// instance: `new R(dep).route()`, `r.getRouter()` with r bound to
// `new R(dep)`, or a getter `new R(dep).router`. It returns the method
// and the instance; ok is false for anything else.
func (m *Model) instanceRouterMethod(ctx context.Context, f *jsast.File, v *jsast.Node) (fnRef, instance, bool) {
	v = jsast.Unwrap(v)
	if v == nil {
		return fnRef{}, instance{}, false
	}
	member, getter := v, true
	if v.Type == "call_expression" && len(jsast.Args(v)) == 0 {
		member, getter = jsast.Unwrap(v.ChildByField("function")), false
	}
	if member == nil || member.Type != "member_expression" {
		return fnRef{}, instance{}, false
	}
	in, ok := m.instanceOf(ctx, f, member.ChildByField("object"))
	if !ok {
		return fnRef{}, instance{}, false
	}
	name := f.Text(member.ChildByField("property"))
	fn := m.classMember(ctx, in.cfile, in.class, name, 0)
	if fn.fn == nil || fn.fn.Type != "method_definition" && !jsast.IsFunction(fn.fn) || getter != fn.fn.HasChild("get") {
		return fnRef{}, instance{}, false
	}
	return fn, in, true
}

// classMember returns the method called name of a class or of the
// classes it extends (`class UsersController extends BaseController`).
func (m *Model) classMember(ctx context.Context, f *jsast.File, cls *jsast.Node, name string, depth int) fnRef {
	if depth > MaxWrapperDepth || !isClass(cls) {
		return fnRef{}
	}
	if fn := classMethod(f, cls, name); fn != nil {
		return fnRef{file: f, fn: fn, name: name}
	}
	sf, sup, err := m.objectValue(ctx, f, superclass(cls), 0)
	if err != nil || sup == nil {
		return fnRef{}
	}
	return m.classMember(ctx, sf, jsast.Unwrap(sup), name, depth+1)
}

// superclass returns the expression a class extends, or nil.
func superclass(cls *jsast.Node) *jsast.Node {
	for _, c := range cls.NamedChildren() {
		if c.Type != "class_heritage" {
			continue
		}
		for _, h := range c.NamedChildren() {
			if h.Type == "extends_clause" { // TypeScript
				return h.ChildByField("value")
			}
			if h.Type != "implements_clause" {
				return h // JavaScript: the expression itself
			}
		}
	}
	return nil
}

// thisField resolves `this.<field>` read inside the class of the instance
// ctx carries to the constructor argument stored in that field: a
// TypeScript parameter property (`constructor(private controller: C)`)
// or `this.controller = controller` in the constructor. It returns nil
// when ctx carries no instance of the enclosing class or the field is not
// set from a constructor parameter.
func (m *Model) thisField(ctx context.Context, f *jsast.File, n *jsast.Node) (*jsast.File, *jsast.Node, error) {
	in, ok := ctx.Value(instanceKey{}).(instance)
	n = jsast.Unwrap(n)
	if !ok || n == nil || n.Type != "member_expression" || in.cfile.Path != f.Path || !in.class.Contains(n) {
		return nil, nil, nil
	}
	if obj := jsast.Unwrap(n.ChildByField("object")); obj == nil || obj.Type != "this" {
		return nil, nil, nil
	}
	i := constructorField(f, classMethod(f, in.class, "constructor"), f.Text(n.ChildByField("property")))
	args := jsast.Args(in.new)
	if i < 0 || i >= len(args) {
		return nil, nil, nil
	}
	return m.objectValue(ctx, in.file, args[i], 0)
}

// constructorField returns the index of the constructor parameter stored
// in this.<field>, or -1.
func constructorField(f *jsast.File, ctor *jsast.Node, field string) int {
	if ctor == nil || field == "" {
		return -1
	}
	params := jsast.ParamPatterns(ctor)
	index := func(name string) int {
		for i, p := range params {
			if p.Type == "identifier" && f.Text(p) == name {
				return i
			}
		}
		return -1
	}
	if ps := ctor.ChildByField("parameters"); ps != nil {
		i := 0
		for _, p := range ps.NamedChildren() {
			if p.Type == "comment" {
				continue
			}
			property := p.HasChild("accessibility_modifier") || p.HasChild("readonly")
			if property && i < len(params) && f.Text(params[i]) == field {
				return i
			}
			i++
		}
	}
	body := jsast.FunctionBody(ctor)
	if body == nil {
		return -1
	}
	for _, st := range body.NamedChildren() {
		as := jsast.Unwrap(st)
		if as != nil && as.Type == "expression_statement" && len(as.NamedChildren()) == 1 {
			as = jsast.Unwrap(as.NamedChildren()[0])
		}
		if as == nil || as.Type != "assignment_expression" {
			continue
		}
		left, right := jsast.Unwrap(as.ChildByField("left")), jsast.Unwrap(as.ChildByField("right"))
		if left == nil || left.Type != "member_expression" || right == nil || right.Type != "identifier" {
			continue
		}
		if o := jsast.Unwrap(left.ChildByField("object")); o != nil && o.Type == "this" && f.Text(left.ChildByField("property")) == field {
			return index(f.Text(right))
		}
	}
	return -1
}

// injectedModel reports a callee `this.<field>.<method>` inside a class
// whose constructor stores a parameter in <field> (or that extends a
// class, whose constructor may store it) and whose field is
// named as a model or repository (`this.model`, `this.usersModel`,
// `this.orderRepository`): the data model the class was built with, as
// controllers and services written as classes receive their ORM models.
func injectedModel(f *jsast.File, callee *jsast.Node) bool {
	callee = jsast.Unwrap(callee)
	if callee == nil || callee.Type != "member_expression" {
		return false
	}
	recv := jsast.Unwrap(callee.ChildByField("object"))
	if recv == nil || recv.Type != "member_expression" {
		return false
	}
	if o := jsast.Unwrap(recv.ChildByField("object")); o == nil || o.Type != "this" {
		return false
	}
	field := f.Text(recv.ChildByField("property"))
	low := strings.ToLower(field)
	if !strings.HasSuffix(low, "model") && !strings.HasSuffix(low, "repository") && !strings.HasSuffix(low, "repo") {
		return false
	}
	cls := jsast.Ancestor(callee, "class_declaration", "class", "abstract_class_declaration")
	for cls != nil {
		if constructorField(f, classMethod(f, cls, "constructor"), field) >= 0 || superclass(cls) != nil {
			return true
		}
		cls = jsast.Ancestor(cls, "class_declaration", "class", "abstract_class_declaration")
	}
	return false
}

// forwardedMethod resolves a handler written as an arrow that forwards
// its parameters to a method of an injected field, `(c) =>
// this.controller.remove(c)`, to that method, when ctx carries the
// instance that says what `this.controller` is. ok is false otherwise.
func (m *Model) forwardedMethod(ctx context.Context, f *jsast.File, fn *jsast.Node) (fnRef, bool) {
	if fn == nil || fn.Type != "arrow_function" {
		return fnRef{}, false
	}
	call := jsast.Unwrap(jsast.FunctionBody(fn))
	if call != nil && call.Type == "await_expression" && len(call.NamedChildren()) == 1 {
		call = jsast.Unwrap(call.NamedChildren()[0])
	}
	if call == nil || call.Type != "call_expression" {
		return fnRef{}, false
	}
	callee := jsast.Unwrap(call.ChildByField("function"))
	if callee == nil || callee.Type != "member_expression" {
		return fnRef{}, false
	}
	if _, v, err := m.thisField(ctx, f, callee.ChildByField("object")); err != nil || v == nil {
		return fnRef{}, false
	}
	params, args := jsast.ParamPatterns(fn), jsast.Args(call)
	if len(args) != len(params) {
		return fnRef{}, false
	}
	for i, a := range args {
		if a = jsast.Unwrap(a); a == nil || a.Type != "identifier" || f.Text(a) != f.Text(params[i]) {
			return fnRef{}, false
		}
	}
	r, err := m.resolveFunc(ctx, f, callee, nil, 0)
	return r, err == nil && r.fn != nil
}

// classBuilt reports an app a class method returns (`route() { ...;
// return router }`, a getter): a router built to be mounted by whoever
// instantiates the class, never served on its own. When no mount is
// followed, what runs in front of it is unknown, so it is not a root.
func classBuilt(a *project.NodeApp) bool {
	f := a.Server().File
	found := false
	jsast.Walk(f.Root, func(n *jsast.Node) bool {
		if found {
			return false
		}
		if n.Type != "method_definition" {
			return true
		}
		if a.Scope != f.Root && a.Scope != n {
			return true
		}
		if ret := returnedFunction(n); ret != nil && ret.Type == "identifier" && f.Text(ret) == a.Name {
			found = true
		}
		return !found
	})
	return found
}
