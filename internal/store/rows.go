package store

import (
	"context"
	"database/sql"
)

// Reads of many rows go through eachRow or scanRows, so that no caller
// forgets to close the rows or to check the error that ended them early.

// eachRow runs query on q and hands each row to fn. The rows are closed
// when it returns, and an error that cut them short is returned.
func eachRow(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanRows runs query on q and returns what scan reads from each row, in
// order (nil for no rows).
func scanRows[T any](ctx context.Context, q querier, query string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	var out []T
	err := eachRow(ctx, q, query, args, func(rows *sql.Rows) error {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanID reads a row of one integer column, such as an id.
func scanID(rows *sql.Rows) (int64, error) {
	var id int64
	err := rows.Scan(&id)
	return id, err
}

// scanMap runs a query whose rows are a key and a value, such as a count
// or an id, and returns the values by key.
func scanMap[K comparable, V any](ctx context.Context, q querier, query string, args []any) (map[K]V, error) {
	m := map[K]V{}
	err := eachRow(ctx, q, query, args, func(rows *sql.Rows) error {
		var key K
		var v V
		err := rows.Scan(&key, &v)
		m[key] = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
