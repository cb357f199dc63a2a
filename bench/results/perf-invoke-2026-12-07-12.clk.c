#include <stdio.h>
#include <time.h>
static double ns(struct timespec a, struct timespec b){return (b.tv_sec-a.tv_sec)*1e9+(b.tv_nsec-a.tv_nsec);}
int main(){ struct timespec t,a,b; int ids[]={CLOCK_MONOTONIC,CLOCK_MONOTONIC_COARSE,CLOCK_MONOTONIC_RAW}; const char*n[]={"MONOTONIC","MONOTONIC_COARSE","MONOTONIC_RAW"};
 for(int r=0;r<3;r++) for(int k=0;k<3;k++){ long N=2000000; clock_gettime(CLOCK_PROCESS_CPUTIME_ID,&a); for(long i=0;i<N;i++) clock_gettime(ids[k],&t); clock_gettime(CLOCK_PROCESS_CPUTIME_ID,&b); struct timespec res; clock_getres(ids[k],&res); printf("%-18s %.1f ns/reading (CPU) res %ld ns\n",n[k],ns(a,b)/N,res.tv_nsec);} }
