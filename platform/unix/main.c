/* main.c - entry point of a Mica app built as a Linux process. */
#include <mica/app.h>

int main(int argc, char **argv)
{
	mica_boot(argc, argv);
}
