// Command hello is the smallest main package the image tests build, so that they go through
// `go build` like the services without compiling the services' dependencies.
package main

import (
	"fmt"
	"time"
)

func main() {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	fmt.Println(time.Unix(0, 0).In(loc).Format(time.RFC3339))
}
