module example.com/sademo

go 1.22
